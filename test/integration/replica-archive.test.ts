/**
 * An archive-only replica cluster (replica.via: archive): site-a archives to MinIO with pgBackRest;
 * site-b is created from site-a's latest backup and follows site-a's WAL archive only (Patroni's
 * standby_cluster with a restore_command and no host), never connecting to site-a's PostgreSQL.
 * Ports 24700-24860, MinIO 24893.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, tempStateDir, type CliResult } from '../helpers/cli';
import { query, statusOf, waitFor } from '../helpers/pg';
import { TestMinio } from '../helpers/minio';
import { writeSpec } from '../helpers/spec-file';
import { leaderUri, tableChecksum } from '../helpers/replica';

const BUCKET = 'pgc-replica-archive';

describe('replica clusters: following the source archive only', { timeout: 900_000 }, () => {
  const state = tempStateDir('replica-archive');
  let minio: TestMinio;
  let env: Record<string, string> = {};
  const run = (args: string[]): Promise<CliResult> => cli(state.dir, args, undefined, env);

  before(async () => {
    minio = await TestMinio.start(24893);
    await minio.createBucket(BUCKET);
    env = minio.env();
    const a = writeSpec(
      state.dir,
      {
        name: 'site-a',
        instances: 2,
        platform: { local: { basePort: 24700 } },
        backup: { s3: minio.s3Spec(BUCKET), schedule: {} },
      },
      'site-a.yaml',
    );
    const out = await run(['up', '-f', a]);
    assert.equal(out.code, 0, out.stderr);
    await query(
      await leaderUri(state.dir, 'site-a'),
      'create table facts as select generate_series(1, 1000) as id',
    );
    const backup = await run(['backup', 'site-a']);
    assert.equal(backup.code, 0, backup.stderr);
  });

  after(async () => {
    await run(['destroy', 'site-b']);
    await run(['destroy', 'site-a']);
    state.cleanup();
    await minio.destroy();
  });

  test("GIVEN site-a's archive WHEN up of site-b with via archive THEN site-b restores its backup and replays its archived WAL, without a replication connection", async () => {
    const b = writeSpec(
      state.dir,
      {
        name: 'site-b',
        instances: 2,
        platform: { local: { basePort: 24800 } },
        replica: { source: { cluster: 'site-a' }, via: 'archive' },
      },
      'site-b.yaml',
    );
    const out = await run(['up', '-f', b]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /a read-only replica cluster of site-a \(via archive\)/);
    const s = await statusOf(state.dir, 'site-b');
    assert.equal(s.replica?.via, 'archive');
    assert.equal(s.members.filter((m) => m.role === 'standby-leader').length, 1, JSON.stringify(s.members));
    const a = await leaderUri(state.dir, 'site-a');
    await query(a, 'insert into facts select generate_series(1001, 2000)');
    await query(a, 'select pg_switch_wal()');
    const bUri = await leaderUri(state.dir, 'site-b');
    await waitFor(
      'site-b to replay the archived rows',
      async () => ((await tableChecksum(bUri, 'facts')).n === '2000' ? true : undefined),
      120_000,
    );
    assert.deepEqual(await tableChecksum(bUri, 'facts'), await tableChecksum(a, 'facts'));
    const senders = await query<{ n: string }>(
      a,
      "select count(*)::text as n from pg_stat_replication where application_name like 'site-b-%'",
    );
    assert.equal(senders[0]?.n, '0', 'site-b never streams from site-a');
  });
});
