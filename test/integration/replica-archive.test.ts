/**
 * An archive-only replica cluster (replica.via: archive): site-a archives to MinIO with pgBackRest;
 * site-b is created from site-a's latest backup and follows site-a's WAL archive only (Patroni's
 * standby_cluster with a restore_command and no host), never connecting to site-a's PostgreSQL.
 * And `via: both` (site-c): it streams from site-a and, when site-a no longer has the WAL it needs
 * (site-c was down while site-a wrote and recycled its segments: wal_keep_size 16MB), it restores the
 * missing segments from site-a's archive and streams again (Patroni's standby_cluster with both host
 * and restore_command). Ports 24700-24860 and 24900-24960, MinIO 24893.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, tempStateDir, type CliResult } from '../helpers/cli';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
        // Little WAL kept for standbys (Patroni's minimum, 16MB): site-c's fallback on the archive.
        parameters: { wal_keep_size: '16MB' },
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
    await run(['destroy', 'site-c']);
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

  /** The PostgreSQL logs of every member of a cluster. */
  function postgresLogs(name: string): string {
    const members = join(state.dir, name, 'members');
    return readdirSync(members)
      .flatMap((m) => {
        const dir = join(members, m, 'log');
        return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'));
      })
      .join('\n');
  }

  const streamingFrom = async (a: string, name: string): Promise<boolean> =>
    (
      await query<{ n: string }>(
        a,
        `select count(*)::text as n from pg_stat_replication where application_name like '${name}-%' and state = 'streaming'`,
      )
    )[0]?.n === '1';

  test("GIVEN site-a's archive WHEN site-c (via both) misses WAL that site-a has recycled THEN it restores it from the archive and streams again", async () => {
    const c = writeSpec(
      state.dir,
      {
        name: 'site-c',
        instances: 2,
        platform: { local: { basePort: 24900 } },
        replica: { source: { cluster: 'site-a' }, via: 'both' },
      },
      'site-c.yaml',
    );
    const out = await run(['up', '-f', c]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /a read-only replica cluster of site-a \(via both\)/);
    assert.equal((await statusOf(state.dir, 'site-c')).replica?.via, 'both');
    const a = await leaderUri(state.dir, 'site-a');
    await waitFor(
      'site-c to stream from site-a',
      async () => ((await streamingFrom(a, 'site-c')) ? true : undefined),
      120_000,
    );
    // site-a's own spec names no replica cluster: its pg_hba admits site-c's dedicated role as a
    // member of pgcluster_replication, which site-c's up made it on site-a.
    const [sender] = await query<{ usename: string; client_dn: string }>(
      a,
      `select r.usename, s.client_dn from pg_stat_replication r join pg_stat_ssl s using (pid) where r.application_name like 'site-c-%'`,
    );
    assert.deepEqual(sender, { usename: 'site_c_replication', client_dn: '/CN=site_c_replication' });
    let cUri = await leaderUri(state.dir, 'site-c');
    await query(a, 'create table events as select generate_series(1, 500) as id');
    await waitFor('site-c to stream the rows', async () =>
      (await tableChecksum(cUri, 'events')).n === '500' ? true : undefined,
    );
    const [at] = await query<{ lsn: string }>(cUri, 'select pg_last_wal_receive_lsn()::text as lsn');

    const down = await run(['down', 'site-c']);
    assert.equal(down.code, 0, down.stderr);
    // While site-c is down, site-a writes and recycles the segment site-c stopped in.
    const [seg] = await query<{ name: string }>(a, `select pg_walfile_name('${at?.lsn}') as name`);
    const missing = seg?.name as string;
    let n = 1000;
    await waitFor(
      `site-a to have recycled ${missing} (archived first)`,
      async () => {
        await query(a, `insert into events select generate_series(${n}, ${n + 499})`);
        n += 1000;
        await query(a, 'select pg_switch_wal()');
        await query(a, 'checkpoint');
        const [r] = await query<{ n: string }>(
          a,
          `select count(*)::text as n from pg_ls_waldir() where name = '${missing}'`,
        );
        return r?.n === '0' ? true : undefined;
      },
      120_000,
    );
    const before = await tableChecksum(a, 'events');

    const again = await run(['up', '-f', c]);
    assert.equal(again.code, 0, again.stderr);
    cUri = await leaderUri(state.dir, 'site-c');
    await waitFor(
      'site-c to catch up on the rows written while it was down',
      async () => ((await tableChecksum(cUri, 'events')).n === before.n ? true : undefined),
      180_000,
    );
    assert.deepEqual(await tableChecksum(cUri, 'events'), before);
    assert.match(
      postgresLogs('site-c'),
      new RegExp(`restored log file "${missing}" from archive`),
      `site-c restored ${missing}, which site-a no longer had, from the archive`,
    );
    await waitFor(
      'site-c to stream from site-a again',
      async () => ((await streamingFrom(a, 'site-c')) ? true : undefined),
      120_000,
    );
    await query(a, 'insert into events values (100000)');
    await waitFor('site-c to stream a new row', async () =>
      (await tableChecksum(cUri, 'events')).n === String(Number(before.n) + 1) ? true : undefined,
    );
  });

  test('GIVEN site-c streaming from site-a WHEN site-c is destroyed THEN its dedicated replication role is dropped from site-a', async () => {
    const a = await leaderUri(state.dir, 'site-a');
    const roles = async () =>
      (
        await query<{ rolname: string }>(
          a,
          `select rolname from pg_roles where rolname like 'site\\_%\\_replication' order by 1`,
        )
      ).map((r) => r.rolname);
    assert.deepEqual(await roles(), ['site_b_replication', 'site_c_replication']);
    const out = await run(['destroy', 'site-c']);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr + out.stdout, /dropped the replication role site_c_replication from site-a/);
    assert.deepEqual(await roles(), ['site_b_replication']);
  });
});
