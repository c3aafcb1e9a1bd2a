/**
 * HA figures of a 3-member synchronous cluster (number 1, dataDurability required), side by side for
 * pgcluster's defaults (HA timing, quorum commit, peer watch) and plain Patroni's (ttl 30 / loopWait
 * 10 / retryTimeout 10, synchronous_mode on = method first, no peer watch), with the Patroni that
 * tools/patroni pins:
 *   a. `pgcluster up` in a fresh state dir until the CLI exits ready;
 *   b. failover after SIGKILL of the primary's postmaster only (Patroni alive);
 *   c. failover after losing the whole primary member (supervisor, Patroni, postmaster at once);
 *   d. the write window of a planned `pgcluster switchover`;
 *   e. on pgcluster's cluster, synchronous.method first against any: `pgbench -N` commit latency and
 *      tps, and the commit stall when a synchronous replica is lost whole (bench/lib/commit.ts).
 * b and c: RTO = kill -> first write acknowledged through the rw URI; lost = acknowledged ids
 * missing on the primary afterwards. Killed members come back with `up -f` between runs.
 *
 * Run: `npm run bench` (BENCH_RUNS=N, default 3). Prints a table; raw figures go to
 * bench/results/ha-latest.json, the members' logs of the last cluster of each configuration to
 * bench/results/logs/. BENCH_EXTRA_PARAMETERS='{"wal_retrieve_retry_interval":"250ms"}' adds a
 * third column: pgcluster defaults plus those PostgreSQL parameters (basePort 23200), to try a fix.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { findLocalBinaries } from '../provider/platform/local/binaries';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { BenchCluster, type ClusterConfig } from './lib/cluster';
import { cleanupOnSignals, runCleanups, runBench } from './lib/cleanup';
import {
  measureFailover,
  measureSwitchover,
  type FailoverSample,
  type SwitchoverSample,
} from './lib/failover';
import { describeNeighbours, Neighbours, type NeighbourReport } from './lib/neighbours';
import { minMedMax, renderTable, seconds, summarize } from './lib/stats';
import { initPgbench, measureCommits, useMethod, type CommitSample, type SyncMethod } from './lib/commit';
import { HA_DEFAULTS } from '../provider/spec/ha';
import { DEFAULT_SYNCHRONOUS_METHOD } from '../provider/spec/cluster';

const RUNS = positiveInt(process.env.BENCH_RUNS, 3);
const RESULTS = join(__dirname, 'results', 'ha-latest.json');
const LOGS = join(__dirname, 'results', 'logs');
const EXTRA_PARAMETERS = process.env.BENCH_EXTRA_PARAMETERS
  ? (JSON.parse(process.env.BENCH_EXTRA_PARAMETERS) as Record<string, string>)
  : undefined;

const CONFIGS: ClusterConfig[] = [
  { key: 'pgc', label: 'pgcluster defaults', name: 'bench-pgc', basePort: 23000 },
  {
    key: 'pat',
    label: 'Patroni defaults',
    name: 'bench-pat',
    basePort: 23100,
    ha: { ttl: 30, loopWait: 10, retryTimeout: 10 },
    peerWatch: false,
    keeper: false,
    method: 'first',
  },
  ...(EXTRA_PARAMETERS
    ? [
        {
          key: 'exp',
          label: `pgcluster defaults + ${Object.entries(EXTRA_PARAMETERS)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`,
          name: 'bench-exp',
          basePort: 23200,
          parameters: EXTRA_PARAMETERS,
        },
      ]
    : []),
];

interface ConfigResult {
  config: ClusterConfig;
  upMs: number[];
  upReportedSeconds: number[];
  postmasterKill: FailoverSample[];
  memberLoss: FailoverSample[];
  switchover: SwitchoverSample[];
  healMs: number[];
  /** e: only on pgcluster's cluster. */
  commits: CommitSample[];
  errors: string[];
  neighbours?: NeighbourReport;
}

function positiveInt(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function say(cfg: ClusterConfig, message: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${cfg.label}: ${message}`);
}

const s1 = (ms: number) => `${seconds(ms).toFixed(1)} s`;

function describeFailover(f: FailoverSample): string {
  const where =
    f.newPrimary === f.victim ? `${f.victim} restarted in place` : `${f.victim} -> ${f.newPrimary}`;
  return `RTO ${s1(f.rtoMs)} (${where}, timeline ${f.timelineBefore} -> ${f.timelineAfter}), ${f.lost.length} acknowledged write(s) lost of ${f.acknowledged}`;
}

/** a: `up` in a fresh state dir, RUNS times; the last cluster is kept for b, c and d. */
async function timeUps(cfg: ClusterConfig, result: ConfigResult): Promise<BenchCluster> {
  for (let run = 1; ; run++) {
    const created = await BenchCluster.create(cfg);
    result.upMs.push(created.upMs);
    if (created.reportedSeconds !== undefined) result.upReportedSeconds.push(created.reportedSeconds);
    say(
      cfg,
      `run ${run}/${RUNS}: up -> ready in ${s1(created.upMs)} (CLI says ${created.reportedSeconds} s)`,
    );
    if (run === RUNS) return created.cluster;
    await created.cluster.destroy();
  }
}

/** One measurement; a failure is recorded and the cluster healed, so the other runs still count. */
async function attempt(cfg: ClusterConfig, result: ConfigResult, what: string, body: () => Promise<void>) {
  try {
    await body();
  } catch (e) {
    const message = `${what}: ${(e as Error).message}`;
    result.errors.push(message);
    say(cfg, `FAILED ${message}`);
  }
}

async function benchConfig(cfg: ClusterConfig): Promise<ConfigResult> {
  const result: ConfigResult = {
    config: cfg,
    upMs: [],
    upReportedSeconds: [],
    postmasterKill: [],
    memberLoss: [],
    switchover: [],
    healMs: [],
    commits: [],
    errors: [],
  };
  const neighbours = new Neighbours(
    (cmd) => cmd.includes('/tmp/pgc-bench-') || cmd.includes('postgres: bench-'),
    cpus().length,
  );
  neighbours.start();
  const cluster = await timeUps(cfg, result);
  try {
    for (let run = 1; run <= RUNS; run++) {
      const tag = `run ${run}/${RUNS}`;
      for (const kind of ['postmaster', 'member'] as const) {
        const label = kind === 'postmaster' ? 'postmaster kill' : 'member loss';
        await attempt(cfg, result, `${tag} ${label}`, async () => {
          const sample = await measureFailover(cluster, kind);
          (kind === 'postmaster' ? result.postmasterKill : result.memberLoss).push(sample);
          say(cfg, `${tag}: ${label}: ${describeFailover(sample)}`);
        });
        const healMs = await cluster.heal();
        result.healMs.push(healMs);
        say(cfg, `${tag}: healed with up -f in ${s1(healMs)}`);
      }
      await attempt(cfg, result, `${tag} switchover`, async () => {
        const sample = await measureSwitchover(cluster);
        result.switchover.push(sample);
        say(
          cfg,
          `${tag}: switchover ${sample.from} -> ${sample.to}: write window ${s1(sample.windowMs)}, CLI ${s1(sample.cliMs)}, ${sample.lost.length} lost`,
        );
      });
    }
    if (cfg.key === 'pgc') await benchCommits(cfg, cluster, result);
  } finally {
    await cluster.destroy(LOGS);
    result.neighbours = neighbours.stop();
  }
  return result;
}

/** e: the same cluster switched between method any and first, RUNS times each, interleaved. */
async function benchCommits(cfg: ClusterConfig, cluster: BenchCluster, result: ConfigResult): Promise<void> {
  await attempt(cfg, result, 'pgbench -i', () => initPgbench(cluster));
  for (let run = 1; run <= RUNS; run++) {
    for (const method of ['any', 'first'] as const) {
      await attempt(cfg, result, `run ${run}/${RUNS} commits (${method})`, async () => {
        const sample = await measureCommits(cluster, method);
        result.commits.push(sample);
        say(
          cfg,
          `run ${run}/${RUNS}: method ${method}: pgbench -N ${sample.tps?.toFixed(0)} tps, latency ${sample.latencyMs} ms; ` +
            `a synchronous replica lost: longest commit stall ${s1(sample.replicaLossStallMs)}, ${sample.replicaLossFailures} failed`,
        );
      });
    }
  }
  await useMethod(cluster, DEFAULT_SYNCHRONOUS_METHOD);
}

function haLabel(cfg: ClusterConfig): string {
  const ha = cfg.ha ?? HA_DEFAULTS;
  const method = cfg.method ?? DEFAULT_SYNCHRONOUS_METHOD;
  return `${cfg.label} (${ha.ttl}/${ha.loopWait}/${ha.retryTimeout}, ${method}${cfg.peerWatch === false ? '' : ', peer watch'})`;
}

function printCommits(r: ConfigResult): void {
  if (r.commits.length === 0) return;
  const of = (method: SyncMethod, pick: (c: CommitSample) => number | undefined, digits: number, scale = 1) =>
    minMedMax(
      summarize(r.commits.filter((c) => c.method === method).map((c) => pick(c) ?? NaN)),
      digits,
      scale,
    );
  const row = (label: string, pick: (c: CommitSample) => number | undefined, digits: number, scale = 1) => [
    label,
    of('any', pick, digits, scale),
    of('first', pick, digits, scale),
  ];
  console.log(
    `\ne. synchronous.method on ${r.config.label}'s cluster (same cluster, switched with up -f), ${RUNS} run(s) each, min / median / max`,
  );
  console.log(
    renderTable(
      ['metric', 'any (quorum)', 'first'],
      [
        row('pgbench -N -c 4: latency average, ms', (c) => c.latencyMs, 2),
        row('pgbench -N -c 4: tps', (c) => c.tps, 0),
        row('a sync replica lost: longest commit stall, s', (c) => c.replicaLossStallMs, 2, 1 / 1000),
        row('a sync replica lost: failed writes', (c) => c.replicaLossFailures, 0),
      ],
    ),
  );
}

function printTable(results: readonly ConfigResult[]): void {
  const each = (pick: (r: ConfigResult) => number[], digits = 1, scale = 1 / 1000) =>
    results.map((r) => minMedMax(summarize(pick(r)), digits, scale));
  const lost = (pick: (r: ConfigResult) => FailoverSample[]) =>
    each((r) => pick(r).map((f) => f.lost.length), 0, 1);
  const rows: string[][] = [
    ['a. up (fresh state dir) -> ready, s', ...each((r) => r.upMs), 'median <= 8 s'],
    ['b. postmaster kill: RTO, s', ...each((r) => r.postmasterKill.map((f) => f.rtoMs)), '-'],
    ['b. postmaster kill: acked writes lost', ...lost((r) => r.postmasterKill), '0'],
    ['c. member loss: RTO, s', ...each((r) => r.memberLoss.map((f) => f.rtoMs)), 'median <= 3 s'],
    ['c. member loss: acked writes lost', ...lost((r) => r.memberLoss), '0'],
    ['d. switchover: write window, s', ...each((r) => r.switchover.map((s) => s.windowMs)), '-'],
    ['d. switchover: CLI total, s', ...each((r) => r.switchover.map((s) => s.cliMs)), '-'],
  ];
  console.log(
    `\nHA bench: 3 members, synchronous {number 1, dataDurability required}, Patroni ${patroniVersionInUse()}, ${RUNS} run(s) each, min / median / max`,
  );
  console.log(renderTable(['metric', ...results.map((r) => haLabel(r.config)), 'target'], rows));
}

/** The targets are for `candidate` (pgcluster defaults, or the experiment) against Patroni's defaults. */
function patroniVersionInUse(): string {
  try {
    return findLocalBinaries(15).patroniVersion;
  } catch (e) {
    return `unknown (${(e as Error).message.split('\n')[0]})`;
  }
}

function printVerdicts(candidate: ConfigResult, patroni: ConfigResult): void {
  const up = summarize(candidate.upMs);
  const loss = summarize(candidate.memberLoss.map((f) => f.rtoMs));
  const theirLoss = summarize(patroni.memberLoss.map((f) => f.rtoMs));
  const mark = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  console.log(`\nTargets (${candidate.config.label}):`);
  if (up)
    console.log(
      `  ${mark(up.median <= 8000)} up -> ready median ${s1(up.median)} (<= 8 s); max ${s1(up.max)}`,
    );
  if (loss) console.log(`  ${mark(loss.median <= 3000)} member-loss RTO median ${s1(loss.median)} (<= 3 s)`);
  if (loss && theirLoss) {
    const ratio = theirLoss.median / loss.median;
    console.log(
      `  ${mark(ratio >= 5)} member-loss RTO ${ratio.toFixed(1)}x faster than Patroni defaults (>= 5x)`,
    );
  }
}

function printNotes(results: readonly ConfigResult[]): void {
  const kills = results.flatMap((r) => [...r.postmasterKill, ...r.memberLoss]);
  const lost = kills.reduce((n, f) => n + f.lost.length, 0);
  console.log(
    `\n  ${lost === 0 ? 'PASS' : 'FAIL'} ${lost} acknowledged write(s) lost over ${kills.length} kill(s), all configurations`,
  );
  for (const r of results) {
    const inPlace = r.postmasterKill.filter((f) => f.newPrimary === f.victim).length;
    console.log(
      `  note: ${r.config.label}: after a postmaster kill Patroni restarted the old primary in place ${inPlace} of ${r.postmasterKill.length} time(s)`,
    );
    for (const e of r.errors) console.log(`  ERROR ${r.config.label}: ${e}`);
    if (r.neighbours) console.log(`  ${r.config.label}: ${describeNeighbours(r.neighbours)}`);
  }
  console.log(
    '  baselines with Patroni 3.0.2 (docs/benchmarks.md, 2026-11-23): up 7.2 s; postmaster kill 2.1 s (Patroni defaults 7.1 s); member loss 2.9 s (27.5 s); switchover window 3.5 s (3.3 s)',
  );
}

async function main(): Promise<number> {
  cleanupOnSignals();
  const startedAt = new Date();
  const load = [loadavg()];
  const results: ConfigResult[] = [];
  try {
    for (const cfg of CONFIGS) results.push(await benchConfig(cfg));
  } finally {
    await runCleanups();
  }
  load.push(loadavg());
  const [ours, patroni, ...experiments] = results as [ConfigResult, ConfigResult, ...ConfigResult[]];
  printTable(results);
  printCommits(ours);
  for (const candidate of [ours, ...experiments]) printVerdicts(candidate, patroni);
  printNotes(results);
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  const finishedAt = new Date();
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ bench: 'ha', patroni: patroniVersionInUse(), runs: RUNS, startedAt, finishedAt, cpus: cpus().length, loadavg: load, results }, null, 2)}\n`,
  );
  console.log(`\nraw figures: ${RESULTS}; whole bench ${s1(finishedAt.getTime() - startedAt.getTime())}`);
  return results.some((r) => r.errors.length > 0) ? 1 : 0;
}

runBench(main);
