/**
 * What the CLI says, as a person meets it, snapshotted (test/fixtures/cli/*.txt): the version,
 * `list` with and without clusters, `status` of a stopped cluster and of an unknown one, a YAML
 * syntax error, other tools' key names, a missing spec file. No cluster runs: a stopped one is
 * written as `pgcluster down` leaves it (support/stopped-cluster.ts). Needs `npm run build`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempStateDir } from '../helpers/cli';
import { writeStoppedCluster } from './support/stopped-cluster';
import { matchText, stable } from './support/text-snapshot';

const ESC = '\u001b';
const DEMO = {
  name: 'demo',
  instances: 3,
  platform: { local: { basePort: 27300 } },
  synchronous: { number: 1 },
};

describe('CLI messages', () => {
  const empty = tempStateDir('cli-empty');
  const state = tempStateDir('cli-msg');
  const files: Record<string, string> = {};

  before(() => {
    writeStoppedCluster(state.dir, DEMO, join(state.dir, 'demo.yaml'));
    writeStoppedCluster(state.dir, { ...DEMO, name: 'nofile', platform: { local: { basePort: 27400 } } });
    const write = (name: string, text: string) => {
      files[name] = join(state.dir, name);
      writeFileSync(files[name], text);
    };
    write('unclosed.yaml', 'name: demo\npooler: {enabled: true\nbootstrap:\n  initdb: {}\ninstances: 3\n');
    write(
      'other-tools.yaml',
      'name: demo\nreplicas: 3\nnumberOfInstances: 3\nimageName: ghcr.io/example/postgres:17\nwalStorage:\n  size: 2Gi\npostgresql:\n  version: 17\n',
    );
  });

  after(() => {
    empty.cleanup();
    state.cleanup();
  });

  const CASES: ReadonlyArray<{ name: string; dir: () => string; args: () => string[]; code: number }> = [
    { name: 'version', dir: () => empty.dir, args: () => ['--version'], code: 0 },
    { name: 'list-none', dir: () => empty.dir, args: () => ['list'], code: 0 },
    { name: 'list', dir: () => state.dir, args: () => ['list'], code: 0 },
    { name: 'status-stopped', dir: () => state.dir, args: () => ['status', 'demo'], code: 0 },
    { name: 'status-stopped-no-spec-file', dir: () => state.dir, args: () => ['status', 'nofile'], code: 0 },
    { name: 'status-unknown', dir: () => state.dir, args: () => ['status', 'ghost'], code: 2 },
    {
      name: 'up-unclosed-brace',
      dir: () => state.dir,
      args: () => ['up', '-f', files['unclosed.yaml'] as string],
      code: 2,
    },
    {
      name: 'up-other-tools-names',
      dir: () => state.dir,
      args: () => ['up', '-f', files['other-tools.yaml'] as string],
      code: 2,
    },
    {
      name: 'up-missing-file',
      dir: () => state.dir,
      args: () => ['up', '-f', join(state.dir, 'nope.yaml')],
      code: 2,
    },
  ];

  for (const c of CASES) {
    test(`GIVEN pgcluster ${c.name} WHEN run THEN it says what the snapshot says and exits ${c.code}`, async () => {
      const r = await cli(c.dir(), c.args(), undefined, { NO_COLOR: '1' });
      assert.equal(r.code, c.code, r.stderr);
      const text = `exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
      matchText(c.name, stable(text, { [state.dir]: '<STATE_DIR>', [empty.dir]: '<EMPTY_STATE_DIR>' }));
    });
  }

  test('GIVEN a stopped cluster WHEN status runs with FORCE_COLOR, NO_COLOR or a pipe THEN colour only with FORCE_COLOR and never with NO_COLOR', async () => {
    const colour = await cli(state.dir, ['status', 'demo'], undefined, { FORCE_COLOR: '1', NO_COLOR: '' });
    assert.ok(colour.stdout.includes(`${ESC}[31mstopped${ESC}[39m`), colour.stdout);
    const noColour = await cli(state.dir, ['status', 'demo'], undefined, { FORCE_COLOR: '1', NO_COLOR: '1' });
    assert.ok(!noColour.stdout.includes(ESC), noColour.stdout);
    const piped = await cli(state.dir, ['status', 'demo'], undefined, { FORCE_COLOR: '', NO_COLOR: '' });
    assert.ok(!piped.stdout.includes(ESC), piped.stdout);
  });
});
