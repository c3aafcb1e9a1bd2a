/**
 * Chooses the HA timing defaults by measurement. For each candidate ttl/loopWait/retryTimeout, a
 * 3-member synchronous cluster runs `pgbench -i -s 10`, then `pgbench -c 8 -j 2 -T 60` against the
 * primary while CPU hogs keep both cores at 100 %; spurious failovers are counted from status
 * (leader changes, timeline increments) and from the members' patroni.log (demotions, promotions,
 * lock-owner changes). Then the member-loss RTO is measured (whole primary member SIGKILLed: the
 * peer watch releases its lock, whatever the ttl) and the frozen-primary RTO (every process of the
 * primary member SIGSTOPped, as a paused VM: its ports still accept connections, so only the TTL
 * gives it away). The candidate with 0 spurious failovers and the fastest frozen-primary RTO is the
 * recommendation. Patroni 4 raises ttl below 20 and retryTimeout below 3 (the spec refuses them).
 *
 * Run: `npm run bench:ha-timing`. Environment:
 *   HA_CANDIDATES="20/1/3,20/1/5,20/2/5,30/10/10"  HA_TIMING_SECONDS=60  HA_TIMING_KILLS=2  HA_TIMING_FREEZES=2
 *   HA_TIMING_HOGS=<cores>  HA_TIMING_SCALE=10  HA_TIMING_BASE_PORT=23200
 *   HA_TIMING_PARAMETERS='{"wal_retrieve_retry_interval":"250ms"}' (PostgreSQL parameters for every candidate)
 * Raw figures go to bench/results/ha-timing-latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { perHost } from '../test/helpers/pg';
import { BenchCluster, type ClusterConfig, type HaTiming } from './lib/cluster';
import { cleanupOnSignals, runCleanups, runBench } from './lib/cleanup';
import { measureFailover, type FailoverSample } from './lib/failover';
import { LeaderWatcher, type LeaderWatch } from './lib/leader-watch';
import { busyShare, cpuTimes, runPgbench, startHogs, type PgbenchResult } from './lib/load';
import { describeNeighbours, Neighbours, type NeighbourReport } from './lib/neighbours';
import { logOffsets, scanLogs, type LogFindings } from './lib/patroni-log';
import { minMedMax, renderTable, summarize } from './lib/stats';

const RESULTS_DIR = join(__dirname, 'results');

function intFromEnv(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name}=${raw}: must be an integer >= ${min}`);
  return n;
}

function parseCandidates(text: string): HaTiming[] {
  return text.split(',').map((item) => {
    const parts = item.trim().split('/').map(Number);
    const [ttl, loopWait, retryTimeout] = parts as [number, number, number];
    if (parts.length !== 3 || !parts.every((n) => Number.isInteger(n) && n >= 1))
      throw new Error(`HA_CANDIDATES: "${item}" is not ttl/loopWait/retryTimeout (positive integers)`);
    if (loopWait + 2 * retryTimeout > ttl)
      throw new Error(`HA_CANDIDATES: "${item}" breaks loopWait + 2 x retryTimeout <= ttl`);
    return { ttl, loopWait, retryTimeout };
  });
}

const SETTINGS = {
  candidates: parseCandidates(process.env.HA_CANDIDATES ?? '20/1/3,20/1/5,20/2/5,30/10/10'),
  loadSeconds: intFromEnv('HA_TIMING_SECONDS', 60, 1),
  kills: intFromEnv('HA_TIMING_KILLS', 2),
  freezes: intFromEnv('HA_TIMING_FREEZES', 2),
  hogs: intFromEnv('HA_TIMING_HOGS', cpus().length),
  scale: intFromEnv('HA_TIMING_SCALE', 10, 1),
  basePort: intFromEnv('HA_TIMING_BASE_PORT', 23200, 1024),
  parameters: process.env.HA_TIMING_PARAMETERS
    ? (JSON.parse(process.env.HA_TIMING_PARAMETERS) as Record<string, string>)
    : undefined,
};

interface CandidateResult {
  ha: HaTiming;
  label: string;
  upMs?: number;
  init?: PgbenchResult;
  run?: PgbenchResult;
  cpuBusyDuringLoad?: number;
  watch?: LeaderWatch;
  logs?: LogFindings;
  timelineIncrements?: number;
  spuriousFailovers?: number;
  memberLoss: FailoverSample[];
  frozen: FailoverSample[];
  errors: string[];
  /** Patroni's complaints (DCS errors, failed lock attempts) logged after the load phase, when a kill failed. */
  failureLog?: string[];
  neighbours?: NeighbourReport;
}

const label = (ha: HaTiming) => `${ha.ttl}/${ha.loopWait}/${ha.retryTimeout}`;

function say(c: CandidateResult, message: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${c.label}: ${message}`);
}

/** The superuser URI of the current primary only (pgbench talks to one server). */
async function primaryUri(cluster: BenchCluster, port: number): Promise<string> {
  const one = perHost(await cluster.uri('--superuser')).find((u) => u.includes(`:${port}/`));
  if (!one) throw new Error(`no URI for port ${port}`);
  return one;
}

/** Every signal of a failover or demotion in the window; the spurious count is the largest of them. */
function countSpurious(c: CandidateResult): number {
  const w = c.watch as LeaderWatch;
  const logs = c.logs as LogFindings;
  return Math.max(
    w.leaderChanges,
    c.timelineIncrements ?? 0,
    logs.promotions.length,
    logs.demotions.length,
    logs.lockOwnerChanges,
  );
}

async function loadPhase(c: CandidateResult, cluster: BenchCluster): Promise<void> {
  const steady = await cluster.waitSteady();
  const primary = steady.members.find((m) => m.role === 'primary')!;
  const uri = await primaryUri(cluster, primary.port);
  const membersDir = join(cluster.stateDir, cluster.name, 'members');
  const offsets = logOffsets(membersDir);
  const watcher = new LeaderWatcher(cluster);
  watcher.start();
  try {
    c.init = await runPgbench(uri, ['-i', '-s', String(SETTINGS.scale), '-q'], 600_000);
    say(c, `pgbench -i -s ${SETTINGS.scale}: exit ${c.init.code} in ${c.init.seconds.toFixed(1)} s`);
    const hogs = startHogs(SETTINGS.hogs);
    const before = cpuTimes();
    try {
      const args = ['-c', '8', '-j', '2', '-T', String(SETTINGS.loadSeconds), '-P', '10'];
      c.run = await runPgbench(uri, args, (SETTINGS.loadSeconds + 120) * 1000);
    } finally {
      c.cpuBusyDuringLoad = busyShare(before, cpuTimes());
      hogs.stop();
    }
    // A lock that was about to expire under load shows up within one ttl after the load ends.
    await new Promise((r) => setTimeout(r, c.ha.ttl * 1000));
  } finally {
    c.watch = await watcher.stop();
  }
  c.logs = scanLogs(membersDir, offsets);
  const after = await cluster.status();
  const afterPrimary = after.members.find((m) => m.role === 'primary');
  c.timelineIncrements =
    afterPrimary?.timeline != null && primary.timeline != null
      ? afterPrimary.timeline - primary.timeline
      : undefined;
  c.spuriousFailovers = countSpurious(c);
  say(
    c,
    `pgbench -c 8 -j 2 -T ${SETTINGS.loadSeconds}: exit ${c.run?.code}, ${c.run?.tps?.toFixed(0)} tps, ` +
      `CPU ${(100 * (c.cpuBusyDuringLoad ?? 0)).toFixed(0)} % busy; spurious failovers ${c.spuriousFailovers}`,
  );
}

async function benchCandidate(ha: HaTiming): Promise<CandidateResult> {
  const c: CandidateResult = { ha, label: label(ha), memberLoss: [], frozen: [], errors: [] };
  const name = `bench-t${ha.ttl}-${ha.loopWait}-${ha.retryTimeout}`;
  const cfg: ClusterConfig = {
    key: `t${ha.ttl}`,
    label: c.label,
    name,
    basePort: SETTINGS.basePort,
    ha,
    parameters: SETTINGS.parameters,
  };
  const neighbours = new Neighbours(
    (cmd) => cmd.includes('/tmp/pgc-bench-') || cmd.includes('postgres: bench-'),
    cpus().length,
  );
  neighbours.start();
  const created = await BenchCluster.create(cfg);
  c.upMs = created.upMs;
  const cluster = created.cluster;
  const membersDir = join(cluster.stateDir, cluster.name, 'members');
  let afterLoad = logOffsets(membersDir);
  try {
    await loadPhase(c, cluster);
    afterLoad = logOffsets(membersDir);
    // Writes resume about one ttl after the kill; give it generously more before calling it a failure.
    const resumeTimeoutMs = Math.max(60_000, 6 * ha.ttl * 1000);
    for (let k = 1; k <= SETTINGS.kills; k++) {
      const sample = await measureFailover(cluster, 'member', resumeTimeoutMs);
      c.memberLoss.push(sample);
      say(
        c,
        `member loss ${k}/${SETTINGS.kills}: RTO ${(sample.rtoMs / 1000).toFixed(1)} s, ${sample.lost.length} lost`,
      );
      await cluster.heal();
    }
    for (let k = 1; k <= SETTINGS.freezes; k++) {
      const sample = await measureFailover(cluster, 'freeze', resumeTimeoutMs);
      c.frozen.push(sample);
      say(
        c,
        `frozen primary ${k}/${SETTINGS.freezes}: RTO ${(sample.rtoMs / 1000).toFixed(1)} s, ${sample.lost.length} lost`,
      );
      if (k < SETTINGS.freezes) await cluster.heal();
    }
  } catch (e) {
    c.errors.push((e as Error).message);
    say(c, `FAILED ${(e as Error).message}`);
    const complaints = [
      ...new Set(scanLogs(membersDir, afterLoad).lockTrouble.map((l) => l.replace(/^\S+ \S+ /, ''))),
    ];
    c.failureLog = complaints.slice(0, 5);
  } finally {
    await cluster.destroy(join(RESULTS_DIR, 'logs'));
    c.neighbours = neighbours.stop();
  }
  return c;
}

/** The recommendation's speed: the frozen-primary RTO (the TTL decides it), else the member loss. */
function rtoMedian(c: CandidateResult): number | undefined {
  return summarize((c.frozen.length ? c.frozen : c.memberLoss).map((f) => f.rtoMs))?.median;
}

/** Medians closer than this are measurement noise, not a difference in speed. */
const RTO_NOISE_MS = 500;

/**
 * The fastest candidate (median member-loss RTO) among those with 0 spurious failovers, a clean
 * pgbench run and working failovers. Medians within RTO_NOISE_MS of the fastest count as equally
 * fast; among them the smallest ttl wins (a lost leader is detected within ttl, so it is the faster
 * one in expectation).
 */
function recommend(results: CandidateResult[]): CandidateResult | undefined {
  const clean = results.filter(
    (c) => c.errors.length === 0 && c.spuriousFailovers === 0 && c.run?.code === 0 && !c.run.aborted,
  );
  const speed = (c: CandidateResult) => rtoMedian(c) ?? c.ha.ttl * 1000;
  const fastest = Math.min(...clean.map(speed));
  return clean
    .filter((c) => speed(c) <= fastest + RTO_NOISE_MS)
    .sort((a, b) => a.ha.ttl - b.ha.ttl || speed(a) - speed(b))[0];
}

function printResults(results: CandidateResult[]): void {
  const rows = results.map((c) => {
    const w = c.watch;
    const logs = c.logs;
    const signals =
      w && logs
        ? `${w.leaderChanges} / +${c.timelineIncrements ?? '?'} / ${logs.promotions.length} / ${logs.demotions.length} / ${logs.lockOwnerChanges}`
        : '-';
    const rtos =
      [
        ...c.memberLoss.map((f) => (f.rtoMs / 1000).toFixed(1)),
        ...(c.errors.length > 0 && c.watch ? ['no failover (see below)'] : []),
      ].join(', ') || '-';
    return [
      c.label,
      c.spuriousFailovers === undefined ? 'n/a' : String(c.spuriousFailovers),
      signals,
      c.run?.tps !== undefined ? c.run.tps.toFixed(0) : '-',
      c.cpuBusyDuringLoad !== undefined ? `${(100 * c.cpuBusyDuringLoad).toFixed(0)} %` : '-',
      rtos,
      c.frozen.map((f) => (f.rtoMs / 1000).toFixed(1)).join(', ') || '-',
      String([...c.memberLoss, ...c.frozen].reduce((n, f) => n + f.lost.length, 0)),
    ];
  });
  console.log(
    `\nHA timing under load: 3 members, synchronous required; pgbench -i -s ${SETTINGS.scale}, then -c 8 -j 2 -T ${SETTINGS.loadSeconds} ` +
      `with ${SETTINGS.hogs} CPU hog(s); member-loss RTO x ${SETTINGS.kills}, frozen-primary RTO x ${SETTINGS.freezes}` +
      (SETTINGS.parameters ? `; parameters ${JSON.stringify(SETTINGS.parameters)}` : ''),
  );
  console.log(
    renderTable(
      [
        'ttl/loopWait/retryTimeout',
        'spurious failovers',
        'leader chg / timeline / promoted / demoted / lock-owner chg',
        'pgbench tps',
        'CPU busy',
        'member-loss RTO, s',
        'frozen-primary RTO, s',
        'acked lost',
      ],
      rows,
    ),
  );
  for (const c of results) {
    const rto = summarize(c.memberLoss.map((f) => f.rtoMs));
    if (rto) console.log(`  ${c.label}: member-loss RTO min / median / max ${minMedMax(rto, 1, 1 / 1000)} s`);
    for (const line of [
      ...(c.logs?.demotions ?? []),
      ...(c.logs?.promotions ?? []),
      ...(c.logs?.lockTrouble ?? []),
    ])
      console.log(`  ${c.label} log: ${line}`);
    if (c.run?.aborted)
      console.log(
        `  ${c.label}: pgbench reported errors:\n${c.run.output.trim().split('\n').slice(-8).join('\n')}`,
      );
    for (const e of c.errors) console.log(`  ERROR ${c.label}: ${e}`);
    for (const line of c.failureLog ?? []) console.log(`  ${c.label} log after the kill: ${line}`);
    if (c.neighbours) console.log(`  ${c.label}: ${describeNeighbours(c.neighbours)}`);
  }
  const best = recommend(results);
  console.log(
    best
      ? `\nRecommended HA default: ttl ${best.ha.ttl} / loopWait ${best.ha.loopWait} / retryTimeout ${best.ha.retryTimeout} ` +
          `(0 spurious failovers under load, frozen-primary RTO median ${((rtoMedian(best) ?? NaN) / 1000).toFixed(1)} s)`
      : '\nNo candidate ran clean under load: no recommendation.',
  );
}

async function main(): Promise<number> {
  cleanupOnSignals();
  const startedAt = new Date();
  const results: CandidateResult[] = [];
  try {
    for (const ha of SETTINGS.candidates) results.push(await benchCandidate(ha));
  } finally {
    await runCleanups();
  }
  printResults(results);
  const finishedAt = new Date();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, 'ha-timing-latest.json');
  const recommended = recommend(results)?.ha ?? null;
  const json = {
    bench: 'ha-timing',
    settings: SETTINGS,
    startedAt,
    finishedAt,
    loadavg: loadavg(),
    recommended,
    results,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(
    `raw figures: ${file}; whole bench ${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s`,
  );
  return results.some((c) => c.errors.length > 0) ? 1 : 0;
}

runBench(main);
