/**
 * Day-2 measurements: a planned switchover as the pooler's clients see it (pgbench -c 8 through
 * PgBouncer: failed transactions, aborted clients, the longest single transaction = the stall) and
 * as a direct writer sees it (the write window: the longest gap between acknowledged writes on the
 * rw URI). `via`: `pgcluster` runs `pgcluster switchover` (CHECKPOINT, PgBouncer PAUSE, Patroni,
 * repoint + RESUME); `patroni` asks Patroni's REST API directly (POST /switchover), as a plain
 * Patroni user does, the pooler then following through the on_role_change callback alone.
 */
import { loadavg } from 'node:os';
import { cli } from '../../test/helpers/cli';
import { connectMatching, sleep, waitFor } from '../../test/helpers/pg';
import { pgbench, type PgbenchResult } from '../../test/helpers/pgbench';
import { SequentialWriter } from '../../test/helpers/writer';
import { getCluster, postJson } from '../../provider/patroni/api';
import { isRunningLeader } from '../../provider/patroni/roles';
import { longestGapSince } from './failover';
import { LocalInspector } from '../../provider/platform/local/inspect';
import type { BenchCluster } from './cluster';

export type SwitchoverVia = 'pgcluster' | 'patroni';

export interface PoolerSwitchoverSample {
  via: SwitchoverVia;
  poolMode: string;
  processed: number;
  failed: number;
  aborted: number;
  /** pgbench's exit code: 0 only when every client ran to the end. */
  code: number;
  maxLatencyMs: number;
  /** What a client saw: every error line pgbench printed (first 3). */
  errors: string[];
  load1: number;
}

export interface WindowSample {
  via: SwitchoverVia;
  windowMs: number;
  acknowledged: number;
  lost: number;
}

/** The switchover itself, by `via`; resolves once a new leader runs and the cluster is steady. */
export async function switchOver(c: BenchCluster, via: SwitchoverVia): Promise<void> {
  const before = await c.waitSteady();
  const leader = before.members.find((m) => m.role === 'primary');
  if (!leader) throw new Error(`${c.name}: no primary`);
  if (via === 'pgcluster') {
    const out = await cli(c.stateDir, ['switchover', c.name]);
    if (out.code !== 0) throw new Error(`pgcluster switchover exited ${out.code}:\n${out.stderr}`);
  } else {
    const urls = (await new LocalInspector(c.stateDir).access(c.name)).apiUrls();
    const url = urls[leader.name];
    if (!url) throw new Error(`${leader.name}: no REST API URL`);
    // postJson verifies the HTTPS REST API with the cluster's CA (trusted by access() above).
    const res = await postJson(`${url}/switchover`, { leader: leader.name });
    if (res.status !== 200) throw new Error(`POST /switchover: HTTP ${res.status} ${res.text}`);
    await waitFor(
      'a new running leader',
      async () => {
        const cluster = await getCluster(Object.values(urls));
        const now = cluster?.members.find(isRunningLeader);
        return now && now.name !== leader.name ? now : undefined;
      },
      120_000,
    );
  }
  await c.waitSteady();
}

/** pgbench -c 8 -T seconds through the pooler, a switchover 4 s in. */
export async function poolerSwitchover(
  c: BenchCluster,
  via: SwitchoverVia,
  poolMode: string,
  seconds = 16,
): Promise<PoolerSwitchoverSample> {
  await c.waitSteady();
  const run = pgbench(await c.uri('--pooler'), ['-c', '8', '-j', '2', '-T', String(seconds)]);
  await sleep(4000);
  const load1 = loadavg()[0] as number;
  await switchOver(c, via);
  const result: PgbenchResult = await run.done;
  return {
    via,
    poolMode,
    processed: Number.isNaN(result.processed) ? 0 : result.processed,
    failed: Number.isNaN(result.failed) ? 0 : result.failed,
    aborted: result.aborted,
    code: result.code,
    maxLatencyMs: result.maxLatencyMs,
    errors: result.output
      .split('\n')
      .filter((l) => /error|FATAL|aborted/i.test(l))
      .slice(0, 3),
    load1,
  };
}

let tables = 0;

/** The direct write window: SequentialWriter on the rw URI, the longest gap between acks. */
export async function writeWindow(c: BenchCluster, via: SwitchoverVia): Promise<WindowSample> {
  await c.waitSteady();
  const rw = await c.uri();
  const table = `bench_day2_${process.pid}_${++tables}`;
  const setup = await connectMatching(rw, true);
  try {
    await setup.query(`create table ${table} (id int primary key)`);
  } finally {
    await setup.end();
  }
  const writer = new SequentialWriter(rw, table);
  writer.start();
  try {
    await writer.waitForAcks(30, 30_000);
    const started = Date.now();
    await switchOver(c, via);
    await writer.waitForAcks(30, 60_000);
    const report = await writer.stop();
    const check = await connectMatching(rw, true);
    try {
      const { rows } = await check.query<{ id: number }>(`select id from ${table}`);
      const stored = new Set(rows.map((r) => Number(r.id)));
      return {
        via,
        windowMs: longestGapSince(report.ackTimes, started),
        acknowledged: report.acknowledged.length,
        lost: report.acknowledged.filter((id) => !stored.has(id)).length,
      };
    } finally {
      await check.end();
    }
  } finally {
    await writer.stop().catch(() => undefined);
  }
}
