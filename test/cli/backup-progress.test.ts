/**
 * Long steps with a real pgBackRest and a real S3 server (MinIO over TLS): `pgcluster backup` shows
 * the percentage pgBackRest records while it runs, and a replica restored from that backup (a
 * cluster with backup makes its replicas from the latest one) shows the bytes restored of the
 * backup's size. Off a terminal both are plain lines. Ports 27520-27580, MinIO 27590-27591.
 * Needs `npm run build` and MinIO (`npm run tools:minio`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cli, tempStateDir, type CliResult } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { primaryUri, processesUsing, uriOf } from '../helpers/pg';
import { TestMinio } from '../helpers/minio';

const NAME = 'cliprog';
const BASE = 27520;
const BUCKET = 'pgc-cli-progress';

describe('progress of a backup and of a restore', { timeout: 600_000 }, () => {
  const state = tempStateDir('cli-progress');
  let minio: TestMinio;
  let env: Record<string, string> = {};
  const spec = (instances: number) =>
    writeSpec(state.dir, {
      name: NAME,
      instances,
      platform: { local: { basePort: BASE } },
      backup: { s3: minio.s3Spec(BUCKET), schedule: {} },
    });
  const ok = async (args: string[]): Promise<CliResult> => {
    const r = await cli(state.dir, args, undefined, { ...env, NO_COLOR: '1' });
    assert.equal(r.code, 0, `pgcluster ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r;
  };

  before(async () => {
    minio = await TestMinio.start(27590);
    await minio.createBucket(BUCKET);
    env = minio.env();
    await ok(['up', '-f', spec(1)]);
    const uri = await primaryUri(await uriOf(state.dir, NAME, '--superuser'));
    const init = spawnSync('pgbench', ['-i', '-q', '-s', '40', uri], { encoding: 'utf8' });
    assert.equal(init.status, 0, init.stderr);
  });

  after(async () => {
    await cli(state.dir, ['destroy', NAME], undefined, env);
    const left = processesUsing(state.dir);
    state.cleanup();
    await minio?.destroy();
    assert.deepEqual(left, [], 'processes left after destroy');
  });

  test('GIVEN 600 MB of data WHEN pgcluster backup runs THEN it shows the percentage done, then done', async () => {
    const r = await ok(['backup', NAME]);
    const lines = r.stderr.split('\n').filter((l) => /\] full backup: /.test(l));
    assert.ok(lines.length >= 2, r.stderr);
    for (const l of lines.slice(0, -1)) assert.match(l, /\] full backup: \d+\.\d%$/);
    assert.match(lines.at(-1) as string, /\] full backup: 100\.0%, done$/);
    assert.match(r.stderr, /backed up cliprog: .*, full, /);
  });

  test('GIVEN that backup WHEN up adds a replica THEN its restore shows the bytes restored of the backup size', async () => {
    const r = await ok(['up', '-f', spec(2)]);
    const lines = r.stderr.split('\n').filter((l) => l.includes(`${NAME}-2: restoring the latest backup: `));
    assert.ok(lines.length >= 1, r.stderr);
    assert.match(lines.at(-1) as string, /: [\d.]+ \S+ of [\d.]+ MiB \(100%\)(, [\d.]+ \S+\/s)?, done$/);
    assert.doesNotMatch(r.stderr, /base backup from/, 'made from the backup, not by pg_basebackup');
  });
});
