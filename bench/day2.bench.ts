/**
 * Day-2 figures of a 3-member synchronous cluster (number 1, dataDurability required) with the
 * pooler, side by side in one run for pgcluster's defaults and plain Patroni's (ttl 30 / loopWait 10
 * / retryTimeout 10, synchronous_mode on = method first, no peer watch, and the switchover asked of
 * Patroni's REST API directly: no CHECKPOINT first, no PgBouncer PAUSE, no lock handoff):
 *   a. planned switchover under `pgbench -c 8 -T 16` through PgBouncer, transaction mode then session
 *      mode: failed transactions, aborted clients, the longest single transaction (the stall);
 *   b. the direct write window of a planned switchover (SequentialWriter on the rw URI: the longest
 *      gap between acknowledged writes) and acknowledged writes lost;
 *   c. failover RTO by fault type (postmaster kill, whole-member loss; bench/lib/failover.ts).
 *
 * Run: `npm run bench:day2` (BENCH_RUNS=N, default 2). Prints a table; raw figures go to
 * bench/results/day2-latest.json. Ports 29500-29799.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { BenchCluster, type ClusterConfig } from './lib/cluster';
import { cleanupOnSignals, runCleanups, runBench } from './lib/cleanup';
import { measureFailover, type FailoverSample, type KillKind } from './lib/failover';
import {
  poolerSwitchover,
  writeWindow,
  type PoolerSwitchoverSample,
  type SwitchoverVia,
  type WindowSample,
} from './lib/day2';
import { minMedMax, renderTable, summarize } from './lib/stats';

const RUNS = positiveInt(process.env.BENCH_RUNS, 2);
const RESULTS = join(__dirname, 'results', 'day2-latest.json');
const KINDS: KillKind[] = ['postmaster', 'member'];

interface Config extends ClusterConfig {
  via: SwitchoverVia;
}

const CONFIGS: Config[] = [
  {
    key: 'pgc',
    label: 'pgcluster',
    name: 'bench-d2-pgc',
    basePort: 29500,
    poolMode: 'transaction',
    via: 'pgcluster',
  },
  {
    key: 'pat',
    label: 'Patroni defaults',
    name: 'bench-d2-pat',
    basePort: 29600,
    ha: { ttl: 30, loopWait: 10, retryTimeout: 10 },
    peerWatch: false,
    keeper: false,
    method: 'first',
    poolMode: 'transaction',
    via: 'patroni',
  },
];

interface Result {
  config: Config;
  pooler: PoolerSwitchoverSample[];
  window: WindowSample[];
  failover: FailoverSample[];
  errors: string[];
}

function positiveInt(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function say(cfg: Config, message: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${cfg.label}: ${message}`);
}

async function attempt(cfg: Config, result: Result, what: string, body: () => Promise<void>) {
  try {
    await body();
  } catch (e) {
    result.errors.push(`${what}: ${(e as Error).message}`);
    say(cfg, `FAILED ${what}: ${(e as Error).message}`);
  }
}

async function benchConfig(cfg: Config): Promise<Result> {
  const result: Result = { config: cfg, pooler: [], window: [], failover: [], errors: [] };
  const { cluster } = await BenchCluster.create(cfg);
  try {
    const { pgbench } = await import('../test/helpers/pgbench');
    const init = await pgbench(await cluster.uri('--pooler'), ['-i', '-s', '1', '-q']).done;
    if (init.code !== 0) throw new Error(`pgbench -i: ${init.output}`);
    for (const mode of ['transaction', 'session'] as const) {
      cfg.poolMode = mode;
      cluster.rewriteSpec();
      await cluster.heal();
      for (let run = 1; run <= RUNS; run++)
        await attempt(cfg, result, `pooler switchover (${mode})`, async () => {
          const s = await poolerSwitchover(cluster, cfg.via, mode);
          result.pooler.push(s);
          say(
            cfg,
            `${mode} mode run ${run}: ${s.failed} failed, ${s.aborted} client(s) aborted, longest stall ${s.maxLatencyMs.toFixed(0)} ms, ${s.processed} transactions`,
          );
        });
    }
    for (let run = 1; run <= RUNS; run++)
      await attempt(cfg, result, 'write window', async () => {
        const w = await writeWindow(cluster, cfg.via);
        result.window.push(w);
        say(cfg, `write window run ${run}: ${w.windowMs} ms, ${w.lost} lost of ${w.acknowledged}`);
      });
    for (const kind of KINDS)
      for (let run = 1; run <= RUNS; run++)
        await attempt(cfg, result, `failover (${kind})`, async () => {
          const f = await measureFailover(cluster, kind);
          result.failover.push(f);
          say(cfg, `${kind} run ${run}: RTO ${f.rtoMs} ms, ${f.lost.length} lost of ${f.acknowledged}`);
          await cluster.heal();
        });
  } finally {
    await cluster.destroy();
  }
  return result;
}

const med = (values: number[], digits = 0, scale = 1) => minMedMax(summarize(values), digits, scale);

function printTable(results: Result[]): void {
  const rows: string[][] = [];
  const col = (f: (r: Result) => string) => results.map(f);
  for (const mode of ['transaction', 'session']) {
    const of = (r: Result) => r.pooler.filter((p) => p.poolMode === mode);
    rows.push([`switchover via pooler (${mode}): failed tx`, ...col((r) => med(of(r).map((p) => p.failed)))]);
    rows.push([
      `switchover via pooler (${mode}): aborted clients`,
      ...col((r) => med(of(r).map((p) => p.aborted))),
    ]);
    rows.push([
      `switchover via pooler (${mode}): runs cut short (pgbench exit != 0)`,
      ...col((r) => `${of(r).filter((p) => p.code !== 0).length} of ${of(r).length}`),
    ]);
    rows.push([
      `switchover via pooler (${mode}): longest stall, s`,
      ...col((r) =>
        med(
          of(r).map((p) => p.maxLatencyMs),
          2,
          0.001,
        ),
      ),
    ]);
  }
  rows.push([
    'direct write window, s',
    ...col((r) =>
      med(
        r.window.map((w) => w.windowMs),
        2,
        0.001,
      ),
    ),
  ]);
  rows.push([
    'acked writes lost (switchover)',
    ...col((r) => String(r.window.reduce((a, w) => a + w.lost, 0))),
  ]);
  for (const kind of KINDS) {
    rows.push([
      `failover RTO, ${kind}, s`,
      ...col((r) =>
        med(
          r.failover.filter((f) => f.kind === kind).map((f) => f.rtoMs),
          2,
          0.001,
        ),
      ),
    ]);
    rows.push([
      `acked writes lost, ${kind}`,
      ...col((r) => String(r.failover.filter((f) => f.kind === kind).reduce((a, f) => a + f.lost.length, 0))),
    ]);
  }
  console.log(`\nDay-2 figures (min / median / max of ${RUNS} run(s) each; ${cpus().length} CPUs)\n`);
  console.log(renderTable(['', ...results.map((r) => r.config.label)], rows));
  for (const r of results) {
    const errors = r.pooler.flatMap((p) => p.errors);
    if (errors.length > 0)
      console.log(`\n${r.config.label}, what pgbench clients saw:\n  ${errors.slice(0, 4).join('\n  ')}`);
    for (const e of r.errors) console.log(`${r.config.label}: FAILED ${e}`);
  }
}

async function main(): Promise<number> {
  cleanupOnSignals();
  const startedAt = new Date();
  const load = [loadavg()];
  const results: Result[] = [];
  try {
    for (const cfg of CONFIGS) results.push(await benchConfig(cfg));
  } finally {
    await runCleanups();
  }
  load.push(loadavg());
  printTable(results);
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ bench: 'day2', runs: RUNS, startedAt, finishedAt: new Date(), cpus: cpus().length, loadavg: load, results }, null, 2)}\n`,
  );
  console.log(`\nraw figures: ${RESULTS}`);
  return results.some((r) => r.errors.length > 0) ? 1 : 0;
}

runBench(main);
