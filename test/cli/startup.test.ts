/**
 * The CLI starts fast because each command loads only what it runs: `list`, `status`, `uri`,
 * `--version` and `completion` load neither Pulumi nor a Kubernetes client nor the spec schemas.
 * Which modules load is what this checks (a timing would be a flaky test: the figures are
 * bench/cli-startup.bench.ts's). The running-cluster case is in cluster.test.ts. Needs `npm run build`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempStateDir } from '../helpers/cli';
import { writeStoppedCluster } from './support/stopped-cluster';
import { HEAVY, packagesLoaded } from './support/modules';

describe('CLI start: what each command loads', () => {
  const state = tempStateDir('cli-start');
  before(() => {
    writeStoppedCluster(state.dir, { name: 'demo', instances: 2, platform: { local: { basePort: 27480 } } });
    writeFileSync(join(state.dir, 'invalid.yaml'), 'name: demo\ninstances: 0\n');
  });
  after(() => state.cleanup());

  const LIGHT: string[][] = [
    ['--version'],
    ['list'],
    ['status', 'demo'],
    ['status', 'demo', '--json'],
    ['uri', 'demo'],
    ['completion', 'bash'],
  ];
  for (const args of LIGHT) {
    test(`GIVEN pgcluster ${args.join(' ')} WHEN it runs THEN it loads none of ${HEAVY.join(', ')} (nor pg)`, () => {
      const { code, packages } = packagesLoaded(state.dir, args);
      assert.equal(code, 0);
      assert.ok(packages.has('commander'), 'the hook saw the CLI load');
      for (const heavy of [...HEAVY, 'pg'])
        assert.ok(!packages.has(heavy), `${args.join(' ')} loaded ${heavy}`);
    });
  }

  test('GIVEN up -f with a spec WHEN it runs THEN it loads the spec schemas (the check sees what a command loads)', () => {
    const { code, packages } = packagesLoaded(state.dir, ['up', '-f', join(state.dir, 'invalid.yaml')]);
    assert.equal(code, 2);
    assert.ok(packages.has('zod') && packages.has('yaml'), [...packages].join(', '));
    assert.ok(!packages.has('@pulumi/pulumi'), 'up of a local cluster needs no Pulumi');
  });
});
