/**
 * Replica clusters, in one run on this host across the 30 ms link: site-a (3 members, network
 * namespace pgc-rep-a, 10.246.1.1) and its replica cluster site-b (3 members, streaming, pgc-rep-b,
 * 10.246.1.2), each cluster's CLI and daemons inside its site, every connection between the sites
 * through toxiproxy adding 15 ms each way (test/helpers/link-delay.ts: this kernel has no netem, fq
 * or etf qdisc), pgbench scale BENCH_SCALE. Needs root (namespaces, iptables).
 *   a. replication lag of site-b's standby leader under `pgbench -N -c 4` on site-a (bytes of WAL
 *      written by site-a not yet replayed by site-b, sampled every 100 ms: median, p99; and site-a's
 *      pg_stat_replication.replay_lag for it, in ms);
 *   b. the planned switch site-a -> site-b by `up` under a writer that follows whichever cluster is
 *      writable: time with no writable primary (the longest gap between acknowledged writes), and
 *      acknowledged writes lost; then the fail-back site-b -> site-a, the same;
 *   c. side by side, the way CloudNativePG documents a switch by hand: re-clone the old primary
 *      from the new one with pg_basebackup, from inside the old primary's site across the link
 *      (timed, into a scratch directory).
 * Run: `npm run bench:replica`. Raw figures: bench/results/replica-latest.json. Ports 25000-25160 in
 * the namespaces; the relay's API on 127.0.0.1:24991, its relays on 10.246.1.254:25450-25487.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempStateDir } from '../test/helpers/cli';
import { query, statusOf } from '../test/helpers/pg';
import { cliIn, createSites, removeSites, SITE_A, SITE_B, type NetSite } from '../test/helpers/netns';
import { delayLink, postgresRoundTripMs, sitePorts } from '../test/helpers/link-delay';
import { SequentialWriter } from '../test/helpers/writer';
import { groupSpec, groupUri, idsOn, leaderUri, type Site } from '../test/helpers/replica';
import { SERVICE_ACCOUNT } from '../test/helpers/processes';
import { readSecrets } from '../provider/platform/local/state';
import { REPLICATION_USER } from '../provider/naming';
import { lsnDiff } from '../provider/plan/lsn';
import { cleanupOnSignals, onCleanup, runBench, runCleanups } from './lib/cleanup';
import { runPgbench } from './lib/load';
import { renderTable } from './lib/stats';

let stateDir = '';
const A: Site = {
  name: 'bench-ra',
  basePort: 25000,
  host: SITE_A.address,
  run: (args) => cliIn(SITE_A, stateDir, args),
};
const B: Site = {
  name: 'bench-rb',
  basePort: 25100,
  host: SITE_B.address,
  run: (args) => cliIn(SITE_B, stateDir, args),
};
const NET = new Map<string, NetSite>([
  [A.name, SITE_A],
  [B.name, SITE_B],
]);
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
  const r = await site.run!(['up', '-f', groupSpec(dir, site, other, primary)]);
  if (r.code !== 0) throw new Error(`up ${site.name}: ${r.stderr}`);
  return Date.now() - t0;
}

async function lagUnderLoad(dir: string): Promise<{
  bytes: number[];
  replayLagMs: number[];
  clientAddrs: string[];
}> {
  const a = await leaderUri(dir, A.name);
  const b = await leaderUri(dir, B.name);
  const load = runPgbench(
    a,
    ['-N', '-c', '4', '-j', '2', '-T', String(LOAD_SECONDS)],
    (LOAD_SECONDS + 60) * 1000,
  );
  const samples: number[] = [];
  const replayLagMs: number[] = [];
  const clientAddrs = new Set<string>();
  const end = Date.now() + LOAD_SECONDS * 1000;
  while (Date.now() < end) {
    const [[w], [r], [l]] = await Promise.all([
      query<{ lsn: string }>(a, 'select pg_current_wal_lsn()::text as lsn'),
      query<{ lsn: string }>(b, 'select pg_last_wal_replay_lsn()::text as lsn'),
      query<{ ms: string | null; addr: string }>(
        a,
        `select (extract(epoch from replay_lag) * 1000)::text as ms, host(client_addr) as addr from pg_stat_replication where application_name like '${B.name}-%'`,
      ),
    ]);
    if (w && r) samples.push(Math.max(0, Number(lsnDiff(w.lsn, r.lsn))));
    if (l?.ms) replayLagMs.push(Number(l.ms));
    if (l?.addr) clientAddrs.add(l.addr);
    await new Promise((res) => setTimeout(res, 100));
  }
  const done = await load;
  if (done.code !== 0) throw new Error(`pgbench: ${done.output}`);
  return { bytes: samples, replayLagMs, clientAddrs: [...clientAddrs] };
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

/**
 * CloudNativePG's manual way: the old primary (in site `into`) is re-cloned from the new one
 * (`from`'s leader) with pg_basebackup, run inside `into`'s namespace: across the link.
 */
async function recloneMs(dir: string, from: Site, into: Site): Promise<{ ms: number; bytes: number }> {
  const leader = (await statusOf(dir, from.name)).members.find((m) => m.role === 'primary');
  if (!leader) throw new Error(`${from.name} has no primary`);
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
    from.host as string,
    '-p',
    String(leader.port),
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
  const ns = ['netns', 'exec', (NET.get(into.name) as NetSite).ns];
  const r = SERVICE_ACCOUNT
    ? spawnSync(
        'ip',
        [
          ...ns,
          'setpriv',
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
    : spawnSync('ip', [...ns, join(PG_BIN, 'pg_basebackup'), ...args], {
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
  stateDir = state.dir;
  onCleanup('remove the bench state dir', () => state.cleanup());
  createSites();
  onCleanup('remove the network namespaces', () => removeSites());
  const link = await delayLink(
    [
      [SITE_B, SITE_A, sitePorts(A.basePort)],
      [SITE_A, SITE_B, sitePorts(B.basePort)],
    ],
    24991,
    25450,
  );
  onCleanup('stop the delaying relay', () => link.stop());
  onCleanup(`destroy ${A.name}`, () => A.run!(['destroy', A.name]));
  onCleanup(`destroy ${B.name}`, () => B.run!(['destroy', B.name]));
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
  const rttMs = postgresRoundTripMs(SITE_B, SITE_A.address, A.basePort);
  const rttInsideMs = postgresRoundTripMs(SITE_A, SITE_A.address, A.basePort);
  say(`round trip to site-a's pooler: ${rttMs} ms from site-b, ${rttInsideMs} ms inside site-a`);
  say(`lag under pgbench -N -c 4 for ${LOAD_SECONDS} s`);
  const lag = await lagUnderLoad(state.dir);
  say('planned switch and fail-back under writes');
  const ab = await switchUnderWrites(state.dir, A, B);
  const ba = await switchUnderWrites(state.dir, B, A);
  say('the manual way: re-clone the old primary with pg_basebackup');
  const reclone = await recloneMs(state.dir, A, B);
  const results = {
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, loadavg: loadavg() },
    scale: SCALE,
    link: {
      mechanism: 'toxiproxy v2.12.0 latency toxic, 15 ms upstream + 15 ms downstream, via iptables DNAT',
      roundTripMs: rttMs,
      roundTripInsideSiteMs: rttInsideMs,
      /** Where site-a sees site-b's standby leader stream from: the relay's bridge address. */
      replicationClientAddrs: lag.clientAddrs,
    },
    createReplicaClusterMs: createB,
    lagBytes: {
      samples: lag.bytes.length,
      median: percentile(lag.bytes, 50),
      p99: percentile(lag.bytes, 99),
      max: Math.max(...lag.bytes),
    },
    replayLagMs: {
      samples: lag.replayLagMs.length,
      median: percentile(lag.replayLagMs, 50),
      p99: percentile(lag.replayLagMs, 99),
      max: Math.max(...lag.replayLagMs),
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
        [
          'round trip across the link (inside a site)',
          `${rttMs.toFixed(1)} ms (${rttInsideMs.toFixed(1)} ms)`,
        ],
        ['replica cluster created (3 members, basebackup)', `${(createB / 1000).toFixed(1)} s`],
        [
          'lag under pgbench -N -c 4: median / p99 (bytes)',
          `${results.lagBytes.median} / ${results.lagBytes.p99}`,
        ],
        [
          'lag under pgbench -N -c 4: replay_lag median / p99 (ms)',
          `${results.replayLagMs.median.toFixed(1)} / ${results.replayLagMs.p99.toFixed(1)}`,
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
