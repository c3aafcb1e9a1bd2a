/**
 * The exit codes the README documents: 0 done (a stopped cluster's status too), 1 failed, 2 invalid
 * input (an unknown cluster or command, a bad spec, a usage error); psql's own code passes through.
 * Needs `npm run build`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempStateDir } from '../helpers/cli';
import { writeStoppedCluster } from './support/stopped-cluster';

describe('CLI exit codes', () => {
  const state = tempStateDir('cli-exit');
  before(() => {
    writeStoppedCluster(state.dir, { name: 'demo', instances: 2, platform: { local: { basePort: 27460 } } });
    writeFileSync(join(state.dir, 'bad.yaml'), 'name: [demo\n');
    writeFileSync(join(state.dir, 'invalid.yaml'), 'name: demo\ninstances: 0\n');
  });
  after(() => state.cleanup());

  const TABLE: ReadonlyArray<[string[], number, string]> = [
    [['--version'], 0, 'the version'],
    [['--help'], 0, 'help'],
    [['list'], 0, 'the clusters'],
    [['status', 'demo'], 0, 'a stopped cluster: said, not an error'],
    [['status', 'demo', '--json'], 0, 'a stopped cluster as JSON'],
    [['uri', 'demo'], 0, 'a URI (the cluster need not run)'],
    [['completion', 'bash'], 0, 'bash completion'],
    [['completion', 'zsh'], 0, 'zsh completion'],
    [['down', 'demo'], 0, 'stopping a stopped cluster'],
    [['switchover', 'demo'], 1, 'a switchover without a running primary fails'],
    [['status', 'ghost'], 2, 'an unknown cluster'],
    [['uri', 'demo', '--pooler', '--superuser'], 2, 'options that do not go together'],
    [['backup', 'demo'], 2, 'a backup of a cluster without backup'],
    [['bogus'], 2, 'an unknown command'],
    [['status'], 2, 'a missing argument'],
    [['up'], 2, 'a missing -f'],
    [['up', '-f', 'nope.yaml'], 2, 'a missing spec file'],
    [['up', '-f', '<bad>'], 2, 'a YAML syntax error'],
    [['up', '-f', '<invalid>'], 2, 'an invalid spec'],
    [['completion', 'fish'], 2, 'a shell it does not write for'],
  ];

  for (const [args, code, what] of TABLE) {
    test(`GIVEN ${what} WHEN pgcluster ${args.join(' ')} THEN it exits ${code}`, async () => {
      const real = args.map((a) =>
        a === '<bad>' ? join(state.dir, 'bad.yaml') : a === '<invalid>' ? join(state.dir, 'invalid.yaml') : a,
      );
      const r = await cli(state.dir, real);
      assert.equal(r.code, code, `${r.stderr}${r.stdout}`);
      if (code !== 0) assert.ok(r.stderr.length > 0, 'a failure says why on stderr');
    });
  }
});
