/**
 * Replica clusters, in one run on this host: site-a (3 members) and its replica cluster site-b
 * (3 members, streaming), pgbench scale BENCH_SCALE.
 *   a. replication lag of site-b's standby leader under `pgbench -N -c 4` on site-a (bytes of WAL
 *      written by site-a not yet replayed by site-b, sampled every 100 ms: median, p99);
 *   b. the planned switch site-a -> site-b by `up` under a writer that follows whichever cluster is
 *      writable: time with no writable primary (the longest gap between acknowledged writes), and
 *      acknowledged writes lost; then the fail-back site-b -> site-a, the same;
 *   c. side by side, the way CloudNativePG documents a switch by hand: re-clone the old primary
 *      from the new one with pg_basebackup (timed, into a scratch directory).
 * No link delay: this machine's kernel has no netem (see test/helpers/netns.ts).
 * Run: `npm run bench:replica`. Raw figures: bench/results/replica-latest.json. Ports 25000-25160.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, tempStateDir } from '../test/helpers/cli';
import { query } from '../test/helpers/pg';
import { SequentialWriter } from '../test/helpers/writer';
import { groupSpec, groupUri, idsOn, leaderUri, type Site } from '../test/helpers/replica';
import { SERVICE_ACCOUNT } from '../test/helpers/processes';
import { readSecrets } from '../provider/platform/local/state';
import { REPLICATION_USER } from '../provider/naming';
import { lsnDiff } from '../provider/plan/lsn';
import { cleanupOnSignals, onCleanup, runBench, runCleanups } from './lib/cleanup';
import { runPgbench } from './lib/load';
import { renderTable } from './lib/stats';

const A: Site = { name: 'bench-ra', basePort: 25000 };
const B: Site = { name: 'bench-rb', basePort: 25100 };
const SCALE = Number(process.env.BENCH_SCALE ?? 10);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 20);
const PG_BIN = '/usr/lib/postgresql/15/bin';
const RESULTS = join(__dirname, 'results', 'replica-latest.json');
const say = (m: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

function percentile(values: number[], p: number): number {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))] ?? NaN;
}

async function up(dir: string, site: Site, other: Site, primary: string): Promise<number> {
  const t0 = Date.now();
  const r = await cli(dir, ['up', '-f', groupSpec(dir, site, other, primary)]);
  if (r.code !== 0) throw new Error(`up ${site.name}: ${r.stderr}`);
  return Date.now() - t0;
}

async function lagUnderLoad(dir: string): Promise<number[]> {
  const a = await leaderUri(dir, A.name);
  const b = await leaderUri(dir, B.name);
  const load = runPgbench(
    a,
    ['-N', '-c', '4', '-j', '2', '-T', String(LOAD_SECONDS)],
    (LOAD_SECONDS + 60) * 1000,
  );
  const samples: number[] = [];
  const end = Date.now() + LOAD_SECONDS * 1000;
  while (Date.now() < end) {
    const [[w], [r]] = await Promise.all([
      query<{ lsn: string }>(a, 'select pg_current_wal_lsn()::text as lsn'),
      query<{ lsn: string }>(b, 'select pg_last_wal_replay_lsn()::text as lsn'),
    ]);
    if (w && r) samples.push(Math.max(0, Number(lsnDiff(w.lsn, r.lsn))));
    await new Promise((res) => setTimeout(res, 100));
  }
  const done = await load;
  if (done.code !== 0) throw new Error(`pgbench: ${done.output}`);
  return samples;
}

async function switchUnderWrites(dir: string, from: Site, to: Site) {
  const table = `w_${from.name}_${to.name}`.replace(/-/g, '_');
  await query(await leaderUri(dir, from.name), `create table ${table} (id int primary key)`);
  const writer = new SequentialWriter(await groupUri(dir, [A.name, B.name]), table, 5);
  writer.start();
  await writer.waitForAcks(100);
  const upMs = await up(dir, to, from, to.name);
  await writer.waitForAcks(100);
  const report = await writer.stop();
  await up(dir, from, to, to.name);
  const present = await idsOn(await leaderUri(dir, to.name), table);
  const gaps = report.ackTimes.slice(1).map((t, i) => t - (report.ackTimes[i] as number));
  return {
    upMs,
    noWritablePrimaryMs: Math.max(...gaps),
    acknowledged: report.acknowledged.length,
    lost: report.acknowledged.filter((id) => !present.has(id)).length,
  };
}

/** CloudNativePG's manual way: the old primary is re-cloned from the new one with pg_basebackup. */
function recloneMs(dir: string, from: Site): { ms: number; bytes: number } {
  const scratch = mkdtempSync(join(tmpdir(), 'pgc-bench-reclone-'));
  if (SERVICE_ACCOUNT) chownSync(scratch, SERVICE_ACCOUNT.uid, SERVICE_ACCOUNT.gid);
  const target = join(scratch, 'data');
  mkdirSync(target, { mode: 0o700 });
  if (SERVICE_ACCOUNT) chownSync(target, SERVICE_ACCOUNT.uid, SERVICE_ACCOUNT.gid);
  const secrets = readSecrets(join(dir, from.name, 'secrets.json'))!;
  const pgpass = join(scratch, 'pgpass');
  writeFileSync(pgpass, `*:*:*:${REPLICATION_USER}:${secrets.replicationPassword}\n`, { mode: 0o600 });
  if (SERVICE_ACCOUNT) chownSync(pgpass, SERVICE_ACCOUNT.uid, SERVICE_ACCOUNT.gid);
  const t0 = Date.now();
  const args = [
    '-h',
    '127.0.0.1',
    '-p',
    String(from.basePort + 11),
    '-U',
    REPLICATION_USER,
    '-D',
    target,
    '-X',
    'stream',
    '-c',
    'fast',
    '-w',
  ];
  const r = SERVICE_ACCOUNT
    ? spawnSync(
        'setpriv',
        [
          '--reuid',
          String(SERVICE_ACCOUNT.uid),
          '--regid',
          String(SERVICE_ACCOUNT.gid),
          '--clear-groups',
          join(PG_BIN, 'pg_basebackup'),
          ...args,
        ],
        { env: { ...process.env, PGPASSFILE: pgpass }, encoding: 'utf8' },
      )
    : spawnSync(join(PG_BIN, 'pg_basebackup'), args, {
        env: { ...process.env, PGPASSFILE: pgpass },
        encoding: 'utf8',
      });
  const ms = Date.now() - t0;
  const du = spawnSync('du', ['-sb', target], { encoding: 'utf8' });
  rmSync(scratch, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`pg_basebackup: ${r.stderr}`);
  return { ms, bytes: Number(du.stdout.split('\t')[0]) };
}

async function main(): Promise<number> {
  try {
    return await measure();
  } finally {
    await runCleanups();
  }
}

async function measure(): Promise<number> {
  cleanupOnSignals();
  const state = tempStateDir('bench-replica');
  onCleanup('remove the bench state dir', () => state.cleanup());
  onCleanup(`destroy ${A.name}`, () => cli(state.dir, ['destroy', A.name]));
  onCleanup(`destroy ${B.name}`, () => cli(state.dir, ['destroy', B.name]));
  say(`up ${A.name}, pgbench -i -s ${SCALE}`);
  await up(state.dir, A, B, A.name);
  const init = await runPgbench(
    await leaderUri(state.dir, A.name),
    ['-i', '-s', String(SCALE), '-q'],
    600_000,
  );
  if (init.code !== 0) throw new Error(`pgbench -i: ${init.output}`);
  say(`up ${B.name} (replica cluster of ${A.name})`);
  const createB = await up(state.dir, B, A, A.name);
  say(`lag under pgbench -N -c 4 for ${LOAD_SECONDS} s`);
  const lag = await lagUnderLoad(state.dir);
  say('planned switch and fail-back under writes');
  const ab = await switchUnderWrites(state.dir, A, B);
  const ba = await switchUnderWrites(state.dir, B, A);
  say('the manual way: re-clone the old primary with pg_basebackup');
  const reclone = recloneMs(state.dir, A);
  const results = {
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, loadavg: loadavg() },
    scale: SCALE,
    createReplicaClusterMs: createB,
    lagBytes: {
      samples: lag.length,
      median: percentile(lag, 50),
      p99: percentile(lag, 99),
      max: Math.max(...lag),
    },
    plannedSwitch: ab,
    failBack: ba,
    manualReclone: reclone,
  };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    renderTable(
      ['measure', 'figure'],
      [
        ['replica cluster created (3 members, basebackup)', `${(createB / 1000).toFixed(1)} s`],
        [
          'lag under pgbench -N -c 4: median / p99 (bytes)',
          `${results.lagBytes.median} / ${results.lagBytes.p99}`,
        ],
        [
          'planned switch a->b: no writable primary',
          `${(ab.noWritablePrimaryMs / 1000).toFixed(1)} s (up ${(ab.upMs / 1000).toFixed(1)} s)`,
        ],
        ['planned switch a->b: acknowledged writes lost', `${ab.lost} of ${ab.acknowledged}`],
        [
          'fail-back b->a: no writable primary',
          `${(ba.noWritablePrimaryMs / 1000).toFixed(1)} s (up ${(ba.upMs / 1000).toFixed(1)} s)`,
        ],
        ['fail-back b->a: acknowledged writes lost', `${ba.lost} of ${ba.acknowledged}`],
        [
          'manual way: re-clone the old primary (pg_basebackup)',
          `${(reclone.ms / 1000).toFixed(1)} s for ${(reclone.bytes / 1048576).toFixed(0)} MB, per member`,
        ],
      ],
    ),
  );
  return ab.lost + ba.lost === 0 ? 0 : 1;
}

runBench(main);
