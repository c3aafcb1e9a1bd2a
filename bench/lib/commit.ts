/**
 * What synchronous.method costs a writer, on one cluster switched between `first` and `any` with
 * `up -f` (same machine, same data, same hour):
 *   - commit latency and tps of `pgbench -N` (simple-update, no branch contention) on the primary;
 *   - the commit stall when a synchronous replica is lost whole: the longest gap between
 *     acknowledgements of a SequentialWriter after the kill (with `first`, commits wait until
 *     Patroni names another standby; with `any`, the other replica confirms at once).
 */
import { loadavg } from 'node:os';
import { cliOk } from '../../test/helpers/cli';
import { connectMatching, perHost } from '../../test/helpers/pg';
import { SequentialWriter } from '../../test/helpers/writer';
import type { BenchCluster } from './cluster';
import { runPgbench } from './load';

export type SyncMethod = 'first' | 'any';

export interface CommitSample {
  method: SyncMethod;
  tps?: number;
  latencyMs?: number;
  latencyStddevMs?: number;
  failed: number;
  /** Longest gap between commits after a synchronous replica was killed whole. */
  replicaLossStallMs: number;
  replicaLossFailures: number;
  load1: number;
}

export const PGBENCH_SCALE = 10;
const PGBENCH_SECONDS = Number(process.env.BENCH_PGBENCH_SECONDS ?? 20);

let tables = 0;

async function primaryUri(c: BenchCluster): Promise<string> {
  const s = await c.waitSteady();
  const primary = s.members.find((m) => m.role === 'primary')!;
  const one = perHost(await c.uri('--superuser')).find((u) => u.includes(`:${primary.port}/`));
  if (!one) throw new Error(`no URI for ${primary.name}`);
  return one;
}

/** `up -f` with synchronous.method set, then steady. */
export async function useMethod(c: BenchCluster, method: SyncMethod): Promise<void> {
  c.cfg.method = method;
  c.rewriteSpec();
  await cliOk(c.stateDir, ['up', '-f', c.specFile]);
  await c.waitSteady();
}

export async function initPgbench(c: BenchCluster): Promise<void> {
  const res = await runPgbench(await primaryUri(c), ['-i', '-s', String(PGBENCH_SCALE), '-q'], 600_000);
  if (res.code !== 0) throw new Error(`pgbench -i exited ${res.code}:\n${res.output}`);
}

async function replicaLossStall(c: BenchCluster): Promise<{ stallMs: number; failures: number }> {
  const s = await c.waitSteady();
  const victim = s.members.find((m) => m.role === 'replica' && m.sync);
  if (!victim) throw new Error('no synchronous replica to kill');
  const rw = await c.uri();
  const table = `bench_commit_${process.pid}_${++tables}`;
  const client = await connectMatching(rw, true);
  await client.query(`create table ${table} (id int primary key)`).finally(() => client.end());
  const writer = new SequentialWriter(rw, table);
  writer.start();
  try {
    await writer.waitForAcks(30, 30_000);
    const supervisor = c.supervisorPid(victim.name);
    const killedAt = Date.now();
    for (const pid of [supervisor, victim.patroniPid, victim.pid]) if (pid) process.kill(pid, 'SIGKILL');
    await writer.waitForAcks(150, 60_000);
    const report = await writer.stop();
    let stallMs = 0;
    let previous = killedAt;
    for (const t of report.ackTimes.filter((x) => x > killedAt)) {
      stallMs = Math.max(stallMs, t - previous);
      previous = t;
    }
    return { stallMs, failures: report.failures };
  } finally {
    await writer.stop();
    await c.heal();
  }
}

/** One sample for `method`: pgbench -N for PGBENCH_SECONDS, then a replica loss under writes. */
export async function measureCommits(c: BenchCluster, method: SyncMethod): Promise<CommitSample> {
  await useMethod(c, method);
  const load1 = loadavg()[0] as number;
  const args = ['-N', '-c', '4', '-j', '2', '-T', String(PGBENCH_SECONDS), '-P', '5'];
  const run = await runPgbench(await primaryUri(c), args, (PGBENCH_SECONDS + 60) * 1000);
  if (run.code !== 0) throw new Error(`pgbench -N (${method}) exited ${run.code}:\n${run.output}`);
  const num = (re: RegExp) => {
    const m = re.exec(run.output);
    return m ? Number(m[1]) : undefined;
  };
  const stall = await replicaLossStall(c);
  return {
    method,
    tps: run.tps,
    latencyMs: num(/latency average = ([\d.]+) ms/),
    latencyStddevMs: num(/latency stddev = ([\d.]+) ms/),
    failed: run.failed ?? 0,
    replicaLossStallMs: stall.stallMs,
    replicaLossFailures: stall.failures,
    load1,
  };
}
