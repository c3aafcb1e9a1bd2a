/**
 * What `up` refuses before anything starts when the archive or a source cannot work, each with the
 * field and the cause named, exit 2, and nothing left (no cluster directory, no process): a wrong
 * key, a missing bucket, an untrusted certificate, a clock off by an hour (pgBackRest run under
 * faketime, as on a machine whose clock is wrong), a path that already holds another cluster's
 * stanza, a recovery source without a backup or before its oldest backup, and a clone source that
 * refuses. Real pgBackRest, MinIO over TLS, PostgreSQL 15. Ports 23400-23460, MinIO 23490.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { cli, tempStateDir, type CliResult } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { processesUsing } from '../helpers/pg';
import { TestMinio } from '../helpers/minio';
import { startPostgres, type TestServer } from '../helpers/postgres';

const BASE = 23400;
const BUCKET = 'pgc-refusals';

describe('backup: refused before anything starts', { timeout: 600_000 }, () => {
  const state = tempStateDir('refusals');
  let minio: TestMinio;
  let env: Record<string, string> = {};
  let source: TestServer;

  before(async () => {
    minio = await TestMinio.start(23490);
    await minio.createBucket(BUCKET);
    env = minio.env();
    source = await startPostgres('clone-refusals', { logStatements: false });
    const c = new Client(source.config);
    await c.connect();
    await c.query("create role plain login password 'plain-pw'");
    await c.end();
  });

  after(async () => {
    for (const name of ['ok']) if (existsSync(join(state.dir, name))) await cli(state.dir, ['destroy', name]);
    await source.stop();
    state.cleanup();
    await minio.destroy();
  });

  async function refused(
    name: string,
    spec: Record<string, unknown>,
    expect: RegExp[],
    extraEnv: Record<string, string> = {},
  ): Promise<CliResult> {
    const file = writeSpec(
      state.dir,
      { name, platform: { local: { basePort: BASE } }, ...spec },
      `${name}.yaml`,
    );
    const r = await cli(state.dir, ['up', '-f', file], undefined, { ...env, ...extraEnv });
    assert.equal(r.code, 2, `${name}: exit ${r.code}\n${r.stderr}`);
    for (const re of expect) assert.match(r.stderr, re);
    assert.ok(!existsSync(join(state.dir, name)), `${name}: no cluster directory`);
    assert.deepEqual(processesUsing(state.dir), [], `${name}: no process left`);
    return r;
  }

  test('GIVEN a wrong secret key WHEN up THEN refused naming the credentials', async () => {
    await refused(
      'wrongkey',
      { backup: { s3: minio.s3Spec(BUCKET) } },
      [
        /backup\.s3\.credentials: the S3 server refused the keys for bucket "pgc-refusals" at 127\.0\.0\.1:23490/,
        /nothing was started/,
      ],
      { PGC_TEST_S3_SECRET: 'not-the-secret' },
    );
  });

  test('GIVEN a bucket that does not exist WHEN up THEN refused naming the bucket', async () => {
    await refused('nobucket', { backup: { s3: minio.s3Spec('pgc-nowhere') } }, [
      /backup\.s3\.bucket: bucket "pgc-nowhere" at 127\.0\.0\.1:23490 does not exist \(NoSuchBucket\)/,
    ]);
  });

  test('GIVEN no CA for the private certificate WHEN up THEN refused naming caFile', async () => {
    const { caFile: _ca, ...untrusted } = minio.s3Spec(BUCKET);
    await refused('untrusted', { backup: { s3: untrusted } }, [
      /backup\.s3\.caFile: the certificate of 127\.0\.0\.1:23490 is not trusted \(unable to verify certificate/,
    ]);
  });

  test("GIVEN this machine's clock an hour ahead (for pgBackRest) WHEN up THEN refused naming the clock", async () => {
    const bin = join(state.dir, 'skewed-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'pgbackrest'), '#!/bin/sh\nexec faketime -f +1h /usr/bin/pgbackrest "$@"\n');
    chmodSync(join(bin, 'pgbackrest'), 0o755);
    chmodSync(state.dir, 0o755);
    await refused(
      'skewed',
      { backup: { s3: minio.s3Spec(BUCKET) } },
      [/backup\.s3: .*RequestTimeTooSkewed.*clock/],
      {
        PATH: `${bin}:${process.env.PATH}`,
      },
    );
  });

  test("GIVEN a path holding another cluster's stanza WHEN a new cluster is created there THEN refused naming backup.s3.path", async () => {
    const s3 = minio.s3Spec(BUCKET, '/shared/taken');
    const first = await cli(
      state.dir,
      [
        'up',
        '-f',
        writeSpec(
          state.dir,
          { name: 'ok', instances: 1, platform: { local: { basePort: BASE } }, backup: { s3, schedule: {} } },
          'ok.yaml',
        ),
      ],
      undefined,
      env,
    );
    assert.equal(first.code, 0, first.stderr);
    assert.equal((await cli(state.dir, ['backup', 'ok'], undefined, env)).code, 0);
    assert.equal((await cli(state.dir, ['destroy', 'ok'])).code, 0);
    await refused('ok', { instances: 1, backup: { s3, schedule: {} } }, [
      /backup\.s3\.path: "\/shared\/taken" in bucket "pgc-refusals" already holds the archive of a stanza "ok" \(database system \d+\)/,
    ]);
  });

  test('GIVEN a recovery from a cluster without backup, or to before the oldest backup WHEN up THEN refused', async () => {
    await refused('fromnothing', { bootstrap: { recovery: { source: { cluster: 'ghost' } } } }, [
      /bootstrap\.recovery\.source\.cluster: no cluster named "ghost"/,
    ]);
    await refused(
      'tooearly',
      {
        bootstrap: {
          recovery: {
            source: { s3: minio.s3Spec(BUCKET, '/shared/taken'), stanza: 'ok' },
            target: { time: '2001-01-01T00:00:00Z' },
          },
        },
      },
      [
        /bootstrap\.recovery\.target\.time: "2001-01-01T00:00:00Z" is before the oldest backup of stanza "ok"/,
      ],
    );
  });

  test('GIVEN a clone source refusing the password, or a role without REPLICATION WHEN up THEN refused naming the field', async () => {
    const src = { host: '127.0.0.1', port: source.port };
    await refused(
      'badpw',
      { bootstrap: { pgBasebackup: { source: { ...src, password: { fromEnv: 'CLONE_PW' } } } } },
      [/bootstrap\.pgBasebackup\.source\.password: 127\.0\.0\.1:\d+ refused the password of "postgres"/],
      { CLONE_PW: 'wrong' },
    );
    await refused(
      'norepl',
      {
        bootstrap: { pgBasebackup: { source: { ...src, user: 'plain', password: { fromEnv: 'CLONE_PW' } } } },
      },
      [
        /bootstrap\.pgBasebackup\.source\.user: role "plain" on 127\.0\.0\.1:\d+ has no REPLICATION attribute/,
      ],
      { CLONE_PW: 'plain-pw' },
    );
  });
});
