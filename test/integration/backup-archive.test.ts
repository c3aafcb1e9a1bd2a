/**
 * The WAL archive and backups with real pgBackRest 2.45 and a real S3 server (MinIO over TLS with a
 * CA these tests make), on a 3-member local cluster: archiving from the primary, full/diff/incr
 * backups from a standby, replicas from the latest backup, failover while archiving, the S3 server
 * gone for 60 s under writes, the scheduler, and what destroy leaves. Ports 22400-22460, MinIO 22490.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import YAML from 'yaml';
import { cli, tempStateDir, type CliResult } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { perHost, primaryUri, processesUsing, query, statusOf, uriOf, waitFor } from '../helpers/pg';
import { SequentialWriter } from '../helpers/writer';
import { TestMinio } from '../helpers/minio';
import { gaps, pgbackrest, segmentsByTimeline, stanzaInfo } from '../helpers/backup';
import type { StanzaInfo } from '../../provider/backup/info';

const NAME = 'arch';
const BASE = 22400;
const BUCKET = 'pgc-archive';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  );
}

describe(
  'backup: the archive and backups of a local cluster, on a real S3 server',
  { timeout: 900_000 },
  () => {
    const state = tempStateDir('backup');
    let minio: TestMinio;
    let env: Record<string, string> = {};
    const specOf = (extra: Record<string, unknown> = {}) =>
      writeSpec(state.dir, {
        name: NAME,
        instances: 3,
        platform: { local: { basePort: BASE, keeper: false } },
        synchronous: { number: 1 },
        backup: { s3: minio.s3Spec(BUCKET), schedule: {}, ...extra },
      });
    const run = (args: string[]): Promise<CliResult> => cli(state.dir, args, undefined, env);
    const ok = async (args: string[]): Promise<CliResult> => {
      const r = await run(args);
      assert.equal(r.code, 0, `pgcluster ${args.join(' ')}: ${r.stderr}${r.stdout}`);
      return r;
    };
    const superuser = async () => primaryUri(await uriOf(state.dir, NAME, '--superuser'));

    before(async () => {
      minio = await TestMinio.start(22490);
      await minio.createBucket(BUCKET);
      env = minio.env();
    });

    after(async () => {
      await cli(state.dir, ['destroy', NAME]);
      state.cleanup();
      await minio.destroy();
    });

    test('GIVEN backup WHEN up THEN the stanza is created and checked before up returns, and status shows the archive', async () => {
      const out = await ok(['up', '-f', specOf()]);
      assert.match(
        out.stderr,
        /archive ready: stanza arch in s3:\/\/pgc-archive\/pgcluster\/arch \(stanza-create, check: a WAL segment arrived\)/,
      );
      const status = await statusOf(state.dir, NAME);
      assert.ok(status.archive, 'an archive section');
      assert.match(status.archive.lastArchivedWal ?? '', /^[0-9A-F]{24}$/);
      assert.equal(status.archive.failing, false);
      const keys = await minio.keys(BUCKET, '/pgcluster/arch/archive/arch/');
      assert.ok(
        keys.some((k) => k.includes(status.archive!.lastArchivedWal!)),
        'the segment is in the bucket',
      );
    });

    test('GIVEN the running cluster THEN its pgBackRest files are 0600, and the S3 secret is in no process argument, log or readable file', async () => {
      const root = join(state.dir, NAME);
      for (const m of [1, 2, 3]) {
        const conf = join(root, 'members', `${NAME}-${m}`, 'pgbackrest.conf');
        assert.equal(statSync(conf).mode & 0o777, 0o600, conf);
      }
      for (const pid of processesUsing(state.dir)) {
        let cmd = '';
        try {
          cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          continue;
        }
        assert.ok(!cmd.includes(minio.secretAccessKey), `process ${pid} has the secret in its arguments`);
      }
      for (const file of files(root)) {
        const mode = statSync(file).mode;
        const text = readFileSync(file, 'latin1');
        if (!text.includes(minio.secretAccessKey)) continue;
        assert.match(file, /pgbackrest\.conf$/, `${file} holds the secret`);
        assert.equal(mode & 0o077, 0, `${file} is readable by others`);
      }
    });

    let info: StanzaInfo;
    test('GIVEN the archive WHEN a full, a differential and an incremental backup are taken THEN the repository lists the chain', async () => {
      const labels: string[] = [];
      for (const type of ['full', 'diff', 'incr']) {
        const r = await ok(['backup', NAME, '--type', type]);
        assert.match(r.stderr, new RegExp(`backed up arch: .*, ${type}, `));
        labels.push(r.stdout.trim());
        await query(
          await superuser(),
          `create table if not exists t_${type} as select generate_series(1, 1000) as id`,
        );
      }
      info = JSON.parse((await ok(['backups', NAME, '--json'])).stdout) as StanzaInfo;
      const [full, diff, incr] = labels.map((l) => info.backups.find((b) => b.label === l)!);
      assert.equal(full?.type, 'full');
      assert.equal(diff?.type, 'diff');
      assert.equal(diff?.prior, full?.label);
      assert.equal(incr?.type, 'incr');
      assert.equal(incr?.prior, diff?.label);
      for (const b of [full!, diff!, incr!]) {
        assert.match(b.lsnStart, /^[0-9A-F]+\/[0-9A-F]+$/);
        assert.ok(b.repoSize > 0 && b.size > 0);
      }
      assert.ok(incr!.repoSize < full!.repoSize, 'an incremental stores only what changed');
      const table = (await ok(['backups', NAME])).stdout;
      assert.match(table, new RegExp(`${incr!.label}\\s+incr`));
      assert.equal((await statusOf(state.dir, NAME)).archive?.lastBackup?.label, incr!.label);
    });

    test('GIVEN fromStandby (the default) WHEN backups ran THEN pgBackRest copied from a standby, waiting for its replay', () => {
      const log = readFileSync(join(state.dir, NAME, 'pgbackrest', 'log', 'arch-backup.log'), 'utf8');
      assert.match(log, /--backup-standby/);
      assert.match(log, /wait for replay on the standby to reach/);
    });

    test('GIVEN a backup WHEN a fourth member is added THEN it is restored from the latest backup, not copied from the primary', async () => {
      await ok(['up', '-f', writeSpec(state.dir, { ...readSpec(specOf()), instances: 4 })]);
      const log = readFileSync(join(state.dir, NAME, 'members', `${NAME}-4`, 'patroni.log'), 'utf8');
      assert.match(log, /replica has been created using pgbackrest/);
      const fourth = perHost(await uriOf(state.dir, NAME, '--superuser')).find((u) =>
        u.includes(`:${BASE + 14}/`),
      )!;
      const rows = await query<{ n: string }>(fourth, 'select count(*) as n from t_incr');
      assert.equal(rows[0]?.n, '1000');
      await ok(['up', '-f', specOf()]);
    });

    test('GIVEN writes WHEN the primary is lost THEN the new primary archives on the new timeline and check passes', async () => {
      const before = await statusOf(state.dir, NAME);
      const old = before.members.find((m) => m.role === 'primary')!;
      const supervisor = Number(
        readFileSync(join(state.dir, NAME, 'members', old.name, 'supervisor.pid'), 'utf8'),
      );
      for (const pid of [supervisor, old.patroniPid!, old.pid!]) process.kill(pid, 'SIGKILL');
      const after = await waitFor(
        'a new primary on a new timeline',
        async () => {
          const s = await statusOf(state.dir, NAME);
          const p = s.members.find((m) => m.role === 'primary');
          return p && p.name !== old.name && (p.timeline ?? 0) > (old.timeline ?? 0) ? s : undefined;
        },
        30_000,
      );
      const timeline = after.members.find((m) => m.role === 'primary')!.timeline!;
      const [row] = await query<{ wal: string }>(
        await superuser(),
        'select pg_walfile_name(pg_switch_wal()) as wal',
      );
      await waitFor(
        `${row!.wal} archived by the new primary`,
        async () =>
          ((await statusOf(state.dir, NAME)).archive?.lastArchivedWal ?? '') >= row!.wal || undefined,
        60_000,
      );
      assert.equal(Number.parseInt(row!.wal.slice(0, 8), 16), timeline, 'the segment is of the new timeline');
      const check = await pgbackrest(state.dir, NAME, ['check']);
      assert.equal(check.code, 0, check.stderr + check.stdout);
      const keys = await minio.keys(BUCKET, '/pgcluster/arch/archive/arch/');
      assert.ok(
        keys.some((k) => k.endsWith(`${timeline.toString(16).toUpperCase().padStart(8, '0')}.history`)),
      );
      await ok(['up', '-f', specOf()]);
    });

    test('GIVEN writes WHEN the S3 server is gone for 60 s THEN WAL waits, status says archiving fails, and it catches up with no segment missing', async () => {
      const rw = await uriOf(state.dir, NAME);
      await query(await primaryUri(rw), 'create table outage (id int primary key)');
      const writer = new SequentialWriter(rw, 'outage');
      writer.start();
      let sawFailing = false;
      let lastSwitched = '';
      try {
        await writer.waitForAcks(20);
        await minio.stop();
        // At least 60 s, and until status says so: an archive-push that hangs on a dead endpoint
        // gives up after pgBackRest's archive-timeout (60 s).
        const until = Date.now() + 60_000;
        const giveUp = Date.now() + 180_000;
        while (Date.now() < until || (!sawFailing && Date.now() < giveUp)) {
          const [row] = await query<{ wal: string }>(
            await superuser(),
            'select pg_walfile_name(pg_switch_wal()) as wal',
          );
          lastSwitched = row!.wal;
          if ((await statusOf(state.dir, NAME)).archive?.failing) sawFailing = true;
          await sleep(5000);
        }
        assert.ok(sawFailing, 'status reported the archive failing while S3 was down');
        const status = await statusOf(state.dir, NAME);
        assert.ok((status.archive?.lastArchivedWal ?? '') < lastSwitched, 'segments waited in pg_wal');
        assert.ok(
          (status.archive?.waitingSegments ?? 0) >= 2,
          `${status.archive?.waitingSegments} segment(s) waiting`,
        );
        assert.match((await run(['status', NAME])).stdout, /FAILING.*segment\(s\) wait in pg_wal/);
        await minio.start();
        await waitFor(
          `the archive to catch up to ${lastSwitched}`,
          async () => {
            const a = (await statusOf(state.dir, NAME)).archive;
            return a && (a.lastArchivedWal ?? '') >= lastSwitched && !a.failing ? a : undefined;
          },
          180_000,
        );
      } finally {
        await minio.start();
        await writer.stop();
      }
      assert.ok(
        writer.report.acknowledged.length > 100,
        `${writer.report.acknowledged.length} writes acknowledged`,
      );
      assert.equal(writer.report.failures, 0, 'no write failed while the archive was down');
      const keys = await minio.keys(BUCKET, '/pgcluster/arch/archive/arch/');
      const timeline = Number.parseInt(lastSwitched.slice(0, 8), 16);
      const segments = segmentsByTimeline(keys).get(timeline) ?? [];
      assert.ok(segments.includes(lastSwitched), `${lastSwitched} in the archive`);
      assert.deepEqual(gaps(segments), [], `timeline ${timeline}: no segment missing`);
      const verify = await pgbackrest(state.dir, NAME, ['verify']);
      assert.equal(verify.code, 0, verify.stderr + verify.stdout);
    });

    test('GIVEN a schedule WHEN it falls due THEN the scheduler takes the backup; without a schedule it stops', async () => {
      const before = new Set((await stanzaInfo(state.dir, NAME)).backups.map((b) => b.label));
      const out = await ok(['up', '-f', specOf({ schedule: { incr: '*/10 * * * * *' } })]);
      assert.match(out.stderr, /started the backup scheduler \(incr "\*\/10 \* \* \* \* \*"/);
      const made = await waitFor(
        'a scheduled backup',
        async () => (await stanzaInfo(state.dir, NAME)).backups.find((b) => !before.has(b.label)),
        60_000,
      );
      assert.equal(made.type, 'incr');
      // pgBackRest lists the backup a moment before it exits and the scheduler logs it.
      const logged = new RegExp(`backed up arch: ${made.label}, incr`);
      await waitFor(
        `the scheduler to log ${made.label}`,
        async () =>
          logged.test(readFileSync(join(state.dir, NAME, 'pgbackrest', 'scheduler.log'), 'utf8')) ||
          undefined,
        30_000,
      );
      const scheduler = () =>
        processesUsing(state.dir).filter((pid) =>
          readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('backup-scheduler'),
        );
      assert.equal(scheduler().length, 1);
      const stopped = await ok(['up', '-f', specOf()]);
      assert.match(stopped.stderr, /stopped the backup scheduler/);
      assert.deepEqual(scheduler(), []);
    });

    test('GIVEN the cluster WHEN destroyed THEN nothing of it runs, and its archive stays in the bucket', async () => {
      const keys = await minio.keys(BUCKET, '/pgcluster/arch/');
      await ok(['destroy', NAME]);
      assert.deepEqual(processesUsing(state.dir), []);
      // The archive may grow while destroy runs: the primary's shutdown archives the segments
      // still waiting (archive_timeout switches one at any time). Nothing may go.
      const after = await minio.keys(BUCKET, '/pgcluster/arch/');
      assert.deepEqual(
        keys.filter((key) => !after.includes(key)),
        [],
        'keys removed by destroy',
      );
      const added = after.filter((key) => !keys.includes(key));
      assert.deepEqual(
        added.filter(
          (key) => !/\/archive\/arch\/15-1\/[0-9A-F]{16}\/[0-9A-F]{24}-[0-9a-f]{40}\.lz4$/.test(key),
        ),
        [],
        'keys added by destroy other than WAL segments',
      );
    });
  },
);

function readSpec(file: string): Record<string, unknown> {
  return YAML.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}
