/**
 * Backup figures on one set of data (pgbench scale 50), in one run, against MinIO over TLS:
 *   a. a full pgBackRest backup to S3 (MB/s of database), and a restore of it into an empty
 *      directory (MB/s), side by side with pg_basebackup of the same server (the baseline);
 *   b. WAL archiving under `pgbench -N -c 4` for 60 s, asynchronous (pgcluster's default) against
 *      plain archive-push: segments waiting in pg_wal/archive_status (median, max) and how many
 *      segments the archive lags behind the one being written (median, max), sampled every second.
 * Run: `npm run bench:backup` (BENCH_SCALE=50, BENCH_WAL_SECONDS=60). Raw figures go to
 * bench/results/backup-latest.json. Ports 23800-23860, MinIO 23893.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, tempStateDir } from '../test/helpers/cli';
import { writeSpec } from '../test/helpers/spec-file';
import { primaryUri, query, uriOf } from '../test/helpers/pg';
import { TestMinio } from '../test/helpers/minio';
import { stanzaInfo } from '../test/helpers/backup';
import { SERVICE_ACCOUNT } from '../test/helpers/processes';
import { readSecrets } from '../provider/platform/local/state';
import { REPLICATION_USER } from '../provider/naming';
import { cleanupOnSignals, onCleanup, runBench, runCleanups } from './lib/cleanup';
import { runPgbench, withoutPassword } from './lib/load';
import { minMedMax, renderTable, summarize } from './lib/stats';

const NAME = 'bench-bk';
const BUCKET = 'pgc-bench';
const SCALE = Number(process.env.BENCH_SCALE ?? 50);
const WAL_SECONDS = Number(process.env.BENCH_WAL_SECONDS ?? 60);
const PG_BIN = '/usr/lib/postgresql/15/bin';
const RESULTS = join(__dirname, 'results', 'backup-latest.json');

const MB = 1024 * 1024;
const say = (m: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

/** A directory the cluster's run user owns (restores and base backups write there). */
function ownedTempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `pgc-bench-${label}-`));
  if (SERVICE_ACCOUNT) chownSync(dir, SERVICE_ACCOUNT.uid, SERVICE_ACCOUNT.gid);
  return dir;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const started = Date.now();
  const r = spawnSync(command, args, { env, encoding: 'utf8', ...SERVICE_ACCOUNT, timeout: 3600_000 });
  if (r.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
  return (Date.now() - started) / 1000;
}

const segmentNo = (wal: string) =>
  Number.parseInt(wal.slice(8, 16), 16) * 256 + Number.parseInt(wal.slice(16, 24), 16);

interface WalSample {
  waiting: number;
  lagSegments: number;
}

async function walUnderLoad(
  superuser: string,
  label: string,
): Promise<{ samples: WalSample[]; tps?: number }> {
  const samples: WalSample[] = [];
  let stop = false;
  const sampler = (async () => {
    while (!stop) {
      const [row] = await query<{ waiting: string; current: string; last: string | null }>(
        superuser,
        `select (select count(*) from pg_ls_archive_statusdir() where name like '%.ready') as waiting,
                pg_walfile_name(pg_current_wal_lsn()) as current, last_archived_wal as last from pg_stat_archiver`,
      );
      const last = row!.last && /^[0-9A-F]{24}$/.test(row!.last.slice(0, 24)) ? segmentNo(row!.last) : 0;
      samples.push({
        waiting: Number(row!.waiting),
        lagSegments: Math.max(0, segmentNo(row!.current) - last),
      });
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  say(`${label}: pgbench -N -c 4 -j 2 -T ${WAL_SECONDS}`);
  const run = await runPgbench(
    superuser,
    ['-N', '-c', '4', '-j', '2', '-T', String(WAL_SECONDS)],
    (WAL_SECONDS + 120) * 1000,
  );
  stop = true;
  await sampler;
  return { samples, tps: run.tps };
}

async function main(): Promise<number> {
  cleanupOnSignals();
  const started = new Date();
  const minio = await TestMinio.start(23893);
  onCleanup('stop MinIO', () => minio.destroy());
  await minio.createBucket(BUCKET);
  const state = tempStateDir('bench-backup');
  onCleanup('remove the bench state dir', () => state.cleanup());
  const env = { ...process.env, ...minio.env() };
  const spec = (archiveAsync: boolean) =>
    writeSpec(state.dir, {
      name: NAME,
      instances: 1,
      platform: { local: { basePort: 23800 } },
      parameters: { max_wal_size: '4GB' },
      backup: { s3: minio.s3Spec(BUCKET), schedule: {}, archiveAsync },
    });
  const up = async (archiveAsync: boolean) => {
    const r = await cli(state.dir, ['up', '-f', spec(archiveAsync)], undefined, env);
    if (r.code !== 0) throw new Error(`up: ${r.stderr}`);
  };
  onCleanup(`destroy ${NAME}`, () => cli(state.dir, ['destroy', NAME]));
  await up(true);
  const superuser = await primaryUri(await uriOf(state.dir, NAME, '--superuser'));
  say(`pgbench -i -s ${SCALE}`);
  const init = await runPgbench(superuser, ['-i', '-s', String(SCALE), '-q'], 3600_000);
  if (init.code !== 0) throw new Error(`pgbench -i: ${init.output}`);
  await query(superuser, 'checkpoint');
  const [sized] = await query<{ bytes: string }>(
    superuser,
    'select sum(pg_database_size(oid))::bigint as bytes from pg_database',
  );
  const bytes = sized?.bytes ?? '0';
  const size = Number(bytes);
  say(`database: ${(size / MB).toFixed(0)} MB`);

  // a. pg_basebackup (baseline), a full pgBackRest backup, a restore of it.
  // pg_basebackup connects for replication as the replication role (pg_hba admits it alone).
  const secrets = readSecrets(join(state.dir, NAME, 'secrets.json'))!;
  const port = new URL(withoutPassword(superuser).uri).port;
  const base = ownedTempDir('basebackup');
  onCleanup('remove the base backup', () => rmSync(base, { recursive: true, force: true }));
  const baseSeconds = timed(
    join(PG_BIN, 'pg_basebackup'),
    [
      '-D',
      join(base, 'data'),
      '-X',
      'stream',
      '-c',
      'fast',
      '-h',
      '127.0.0.1',
      '-p',
      port,
      '-U',
      REPLICATION_USER,
    ],
    { PATH: process.env.PATH, PGPASSWORD: secrets.replicationPassword },
  );
  rmSync(join(base, 'data'), { recursive: true, force: true });
  say(`pg_basebackup: ${baseSeconds.toFixed(1)} s`);
  const backupStarted = Date.now();
  const b = await cli(state.dir, ['backup', NAME, '--type', 'full'], undefined, env);
  if (b.code !== 0) throw new Error(`backup: ${b.stderr}`);
  const backupSeconds = (Date.now() - backupStarted) / 1000;
  const made = (await stanzaInfo(state.dir, NAME)).backups.at(-1)!;
  say(
    `pgBackRest full backup: ${backupSeconds.toFixed(1)} s, ${(made.repoSize / MB).toFixed(0)} MB in the repository`,
  );
  const restoreDir = ownedTempDir('restore');
  onCleanup('remove the restore', () => rmSync(restoreDir, { recursive: true, force: true }));
  const conf = join(state.dir, NAME, 'members', `${NAME}-1`, 'pgbackrest.conf');
  const restoreSeconds = timed(
    'pgbackrest',
    [
      `--config=${conf}`,
      `--stanza=${NAME}`,
      `--pg1-path=${join(restoreDir, 'data')}`,
      `--lock-path=${restoreDir}`,
      '--type=immediate',
      'restore',
    ],
    { PATH: process.env.PATH, HOME: restoreDir },
  );
  say(`pgBackRest restore: ${restoreSeconds.toFixed(1)} s`);

  // b. archiving under writes: asynchronous, then plain archive-push.
  const wal: Record<string, { samples: WalSample[]; tps?: number }> = {};
  wal.async = await walUnderLoad(superuser, 'archive-async');
  await up(false);
  wal.plain = await walUnderLoad(superuser, 'plain archive-push');
  await up(true);

  const mbps = (seconds: number) => `${(size / MB / seconds).toFixed(0)} MB/s`;
  console.log(
    `\nBackup bench: pgbench scale ${SCALE} (${(size / MB).toFixed(0)} MB), MinIO over TLS on this machine, process-max 2, lz4`,
  );
  console.log(
    renderTable(
      ['step', 'seconds', 'database MB/s', 'note'],
      [
        [
          'pg_basebackup (baseline)',
          baseSeconds.toFixed(1),
          mbps(baseSeconds),
          'plain copy to a local directory',
        ],
        [
          'pgBackRest full backup to S3',
          backupSeconds.toFixed(1),
          mbps(backupSeconds),
          `${(made.repoSize / MB).toFixed(0)} MB stored (${((100 * made.repoSize) / made.size).toFixed(0)} %)`,
        ],
        [
          'pgBackRest restore from S3',
          restoreSeconds.toFixed(1),
          mbps(restoreSeconds),
          `target: restore >= pg_basebackup`,
        ],
      ],
    ),
  );
  const row = (label: string, w: { samples: WalSample[]; tps?: number }) => [
    label,
    minMedMax(summarize(w.samples.map((s) => s.waiting)), 0),
    minMedMax(summarize(w.samples.map((s) => s.lagSegments)), 0),
    w.tps?.toFixed(0) ?? '-',
  ];
  console.log(
    `\nWAL archiving under pgbench -N -c 4 -j 2 -T ${WAL_SECONDS}, sampled every second, min / median / max`,
  );
  console.log(
    renderTable(
      ['archiving', 'segments waiting', 'archive lag, segments', 'tps'],
      [row('archive-async (default)', wal.async), row('plain archive-push', wal.plain)],
    ),
  );
  const verdict = restoreSeconds <= baseSeconds ? 'PASS' : 'FAIL';
  console.log(`\n  ${verdict} restore ${mbps(restoreSeconds)} >= pg_basebackup ${mbps(baseSeconds)}`);
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ bench: 'backup', startedAt: started, finishedAt: new Date(), cpus: cpus().length, loadavg: loadavg(), scale: SCALE, size, baseSeconds, backupSeconds, restoreSeconds, backup: made, wal }, null, 2)}\n`,
  );
  console.log(`raw figures: ${RESULTS}`);
  await runCleanups();
  return 0;
}

runBench(main);
