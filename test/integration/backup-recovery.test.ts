/**
 * bootstrap.recovery with real pgBackRest and MinIO: a source cluster with a backup and two batches
 * of writes around a target; clusters restored to a time, an LSN, an xid, a named restore point and
 * `immediate` hold exactly what the target says; a restore across a failover; the restored cluster
 * archives to its own path and nothing is written into the source's. Ports 22500-22980 (a cluster
 * per target), MinIO 22493.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempStateDir, type CliResult } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { primaryUri, processesUsing, query, statusOf, uriOf, waitFor } from '../helpers/pg';
import { TestMinio } from '../helpers/minio';
import { stanzaInfo } from '../helpers/backup';

const SOURCE = 'src';
const BUCKET = 'pgc-recovery';

describe('backup: point-in-time recovery into new clusters', { timeout: 900_000 }, () => {
  const state = tempStateDir('recovery');
  let minio: TestMinio;
  let env: Record<string, string> = {};
  const run = (args: string[]): Promise<CliResult> => cli(state.dir, args, undefined, env);
  const ok = async (args: string[]): Promise<CliResult> => {
    const r = await run(args);
    assert.equal(r.code, 0, `pgcluster ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r;
  };
  const su = async (name: string) => primaryUri(await uriOf(state.dir, name, '--superuser'));
  /** One statement per call: each commits on its own. */
  const sql = async (name: string, text: string) => query<Record<string, string>>(await su(name), text);
  /** The one value of a one-row, one-column query. */
  const value = async (name: string, text: string) =>
    Object.values((await sql(name, text))[0] ?? {})[0] as string;
  const NOW = 'select to_char(now() at time zone \'utc\', \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\')';
  const targets: Record<string, Record<string, unknown>> = {};
  let sourceKeysBefore: string[] = [];

  before(async () => {
    minio = await TestMinio.start(22493);
    await minio.createBucket(BUCKET);
    env = minio.env();
    await ok([
      'up',
      '-f',
      writeSpec(state.dir, {
        name: SOURCE,
        instances: 2,
        platform: { local: { basePort: 22500, keeper: false } },
        synchronous: { number: 1 },
        backup: { s3: minio.s3Spec(BUCKET), schedule: {} },
      }),
    ]);
    await sql(SOURCE, 'create table batch (n int, id int)');
    await ok(['backup', SOURCE]);
    await sql(SOURCE, 'insert into batch select 1, g from generate_series(1, 100) g');
    // Every target sits between the first batch and the second.
    const xid = await value(SOURCE, 'select pg_current_xact_id()::text as xid');
    await sql(SOURCE, "select pg_create_restore_point('after-batch-1')");
    const lsn = await value(SOURCE, 'select pg_current_wal_lsn()::text as lsn');
    await new Promise((r) => setTimeout(r, 1100));
    const now = await value(SOURCE, NOW);
    await new Promise((r) => setTimeout(r, 1100));
    await sql(SOURCE, 'insert into batch select 2, g from generate_series(1, 100) g');
    await sql(SOURCE, 'select pg_switch_wal()');
    await waitFor(
      'the second batch archived',
      async () => {
        const a = (await statusOf(state.dir, SOURCE)).archive;
        return a && a.waitingSegments === 0 && !a.failing ? a : undefined;
      },
      60_000,
    );
    // The xid target includes that transaction (it committed nothing): replay stops right after it.
    Object.assign(targets, {
      time: { time: now },
      lsn: { lsn },
      xid: { xid },
      name: { name: 'after-batch-1' },
    });
    sourceKeysBefore = await minio.keys(BUCKET, '/pgcluster/src/');
  });

  after(async () => {
    for (const name of await (async () => (await run(['list'])).stdout.trim().split('\n').filter(Boolean))())
      await cli(state.dir, ['destroy', name]);
    state.cleanup();
    await minio.destroy();
  });

  const cases: Array<[string, () => Record<string, unknown>, number[]]> = [
    ['time', () => targets.time!, [1]],
    ['lsn', () => targets.lsn!, [1]],
    ['xid', () => targets.xid!, [1]],
    ['name', () => targets.name!, [1]],
    ['immediate', () => ({ immediate: true }), []],
  ];
  cases.forEach(([kind, target, batches], i) => {
    test(`GIVEN a backup and two batches WHEN restored to ${kind} THEN the new cluster holds ${batches.length ? 'exactly the first batch' : 'the backup only'}, on a new timeline`, async () => {
      const name = `pitr-${kind}`;
      const out = await ok([
        'up',
        '-f',
        writeSpec(
          state.dir,
          {
            name,
            instances: 1,
            platform: { local: { basePort: 22570 + i * 70, keeper: false } },
            bootstrap: { recovery: { source: { cluster: SOURCE }, target: target() } },
            ...(kind === 'time' ? { backup: { s3: minio.s3Spec(BUCKET), schedule: {} } } : {}),
          },
          `${name}.yaml`,
        ),
      ]);
      const rows = await sql(name, 'select n, count(*)::int as c from batch group by n order by n');
      assert.deepEqual(
        rows.map((r) => Number(r.n)),
        batches,
        `${kind}: batches ${JSON.stringify(rows)}`,
      );
      if (batches.length) assert.equal(Number(rows[0]!.c), 100);
      const tli = await value(name, 'select timeline_id::int as tli from pg_control_checkpoint()');
      assert.ok(Number(tli) > 1, `promoted on a new timeline (${tli})`);
      // It answers as a primary and the app owner got a new password: pgcluster's URIs work.
      const [app] = await query<{ u: string }>(
        await primaryUri(await uriOf(state.dir, name)),
        'select current_user as u',
      );
      assert.equal(app?.u, 'app');
      if (kind === 'time') {
        assert.match(
          out.stderr,
          /archive ready: stanza pitr-time in s3:\/\/pgc-recovery\/pgcluster\/pitr-time/,
        );
        assert.ok((await stanzaInfo(state.dir, name)).archive, 'it archives to its own path');
      }
      await ok(['destroy', name]);
    });
  });

  test('GIVEN the restores WHEN the source repository is listed THEN they wrote nothing into it', async () => {
    const after = await minio.keys(BUCKET, '/pgcluster/src/');
    const added = after.filter((k) => !sourceKeysBefore.includes(k));
    // The source itself may archive meanwhile (its own timeline 1); nothing of another timeline appears.
    assert.deepEqual(
      added.filter((k) => !/\/00000001[0-9A-F]{16}-/.test(k)),
      [],
    );
  });

  test('GIVEN a failover of the source WHEN restored to a time after it THEN the restore follows the new timeline', async () => {
    const s = await statusOf(state.dir, SOURCE);
    const old = s.members.find((m) => m.role === 'primary')!;
    const supervisor = Number(
      readFileSync(join(state.dir, SOURCE, 'members', old.name, 'supervisor.pid'), 'utf8'),
    );
    for (const pid of [supervisor, old.patroniPid!, old.pid!]) process.kill(pid, 'SIGKILL');
    await waitFor(
      'a new primary',
      async () => {
        const now = await statusOf(state.dir, SOURCE);
        return now.primary && now.primary !== old.name ? now : undefined;
      },
      30_000,
    );
    // With one replica left and dataDurability required, commits wait for the old primary to rejoin.
    await ok(['up', '-f', join(state.dir, 'cluster.yaml')]);
    await sql(SOURCE, 'insert into batch select 3, g from generate_series(1, 100) g');
    await new Promise((r) => setTimeout(r, 1100));
    const now = await value(SOURCE, NOW);
    await new Promise((r) => setTimeout(r, 1100));
    await sql(SOURCE, 'insert into batch select 4, g from generate_series(1, 100) g');
    await sql(SOURCE, 'select pg_switch_wal()');
    await waitFor(
      'archived',
      async () => {
        const a = (await statusOf(state.dir, SOURCE)).archive;
        return a && a.waitingSegments === 0 && !a.failing ? a : undefined;
      },
      60_000,
    );
    await ok([
      'up',
      '-f',
      writeSpec(
        state.dir,
        {
          name: 'pitr-after',
          instances: 2,
          platform: { local: { basePort: 22920, keeper: false } },
          bootstrap: { recovery: { source: { cluster: SOURCE }, target: { time: now } } },
        },
        'pitr-after.yaml',
      ),
    ]);
    const rows = await sql('pitr-after', 'select distinct n from batch order by n');
    assert.deepEqual(
      rows.map((r) => Number(r.n)),
      [1, 2, 3],
    );
    const st = await statusOf(state.dir, 'pitr-after');
    assert.equal(st.members.length, 2);
    assert.ok(
      st.members.every((m) => (m.role === 'primary' ? m.state === 'running' : m.state === 'streaming')),
    );
    await ok(['destroy', 'pitr-after']);
    assert.deepEqual(processesUsing(join(state.dir, 'pitr-after')), []);
  });
});
