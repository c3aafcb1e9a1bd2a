/**
 * The failover and switchover measurements, through the rw URI with SequentialWriter:
 * RTO = time from the kill to the first write acknowledged after the outage; lost = acknowledged
 * ids missing on the primary afterwards; switchover window = longest gap between acknowledgements.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { cli } from '../../test/helpers/cli';
import { connectMatching, processAlive, waitFor } from '../../test/helpers/pg';
import { SequentialWriter, type WriterReport } from '../../test/helpers/writer';
import type { ClusterStatus, MemberStatus } from '../../provider/actions/status';
import type { BenchCluster } from './cluster';

/**
 * postmaster: SIGKILL of the primary's postmaster only; member: SIGKILL of its supervisor, Patroni and
 * postmaster (a lost machine); freeze: SIGSTOP of every process of the member (a paused VM: its ports
 * still accept connections, so only the leader lock's TTL gives it away), SIGKILLed once writes resumed.
 */
export type KillKind = 'postmaster' | 'member' | 'freeze';

export interface FailoverSample {
  kind: KillKind;
  victim: string;
  /** The primary once writes resumed: the victim itself when Patroni restarted its postmaster in place. */
  newPrimary: string;
  rtoMs: number;
  /** Acknowledgements that arrived just after the kill, before the outage (in flight at the kill). */
  stragglerAcks: number;
  acknowledged: number;
  failedAttempts: number;
  lost: number[];
  timelineBefore: number | null;
  timelineAfter: number | null;
  load1: number;
}

export interface SwitchoverSample {
  from: string;
  to: string;
  windowMs: number;
  cliMs: number;
  cliReportedSeconds?: number;
  acknowledged: number;
  lost: number[];
  load1: number;
}

/** Acknowledgements closer than this follow each other normally (the writer writes every ~20 ms). */
const OUTAGE_GAP_MS = 250;

let tables = 0;

async function newTable(rw: string): Promise<string> {
  const table = `bench_seq_${process.pid}_${++tables}`;
  const client = await connectMatching(rw, true);
  try {
    await client.query(`create table ${table} (id int primary key)`);
  } finally {
    await client.end();
  }
  return table;
}

/** The first acknowledgement after the kill that ends an outage (≥ OUTAGE_GAP_MS without acks). */
export function resumedAfter(
  ackTimes: readonly number[],
  killedAt: number,
): { at: number; stragglers: number } {
  let stragglers = 0;
  for (let i = 0; i < ackTimes.length; i++) {
    const t = ackTimes[i] as number;
    if (t <= killedAt) continue;
    const previous = i > 0 ? (ackTimes[i - 1] as number) : killedAt;
    if (t - previous >= OUTAGE_GAP_MS || t - killedAt >= OUTAGE_GAP_MS) return { at: t, stragglers };
    stragglers++;
  }
  throw new Error('writes never resumed after the kill');
}

/** Longest time between two acknowledgements, counting from the last one before `from`. */
export function longestGapSince(ackTimes: readonly number[], from: number): number {
  let gap = 0;
  for (let i = 1; i < ackTimes.length; i++) {
    if ((ackTimes[i] as number) <= from) continue;
    gap = Math.max(gap, (ackTimes[i] as number) - (ackTimes[i - 1] as number));
  }
  return gap;
}

async function lostWrites(rw: string, table: string, report: WriterReport): Promise<number[]> {
  const client = await waitFor('the primary to answer', () => connectMatching(rw, true), 60_000);
  try {
    const { rows } = await client.query<{ id: number }>(`select id from ${table}`);
    const stored = new Set(rows.map((r) => Number(r.id)));
    return report.acknowledged.filter((id) => !stored.has(id));
  } finally {
    await client.end();
  }
}

/** A started writer whose stop() may be called more than once (body and finally). */
function startWriter(rw: string, table: string) {
  const writer = new SequentialWriter(rw, table);
  writer.start();
  let stopped: Promise<WriterReport> | undefined;
  return { writer, stop: () => (stopped ??= writer.stop()) };
}

/** A process and all its descendants, parents first (from /proc). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return out;
}

const SIGNAL: Record<KillKind, NodeJS.Signals> = {
  postmaster: 'SIGKILL',
  member: 'SIGKILL',
  freeze: 'SIGSTOP',
};

function pidsToKill(c: BenchCluster, victim: MemberStatus, kind: KillKind): number[] {
  if (kind === 'freeze') {
    const supervisor = c.supervisorPid(victim.name);
    if (!supervisor || !processAlive(supervisor)) throw new Error(`${victim.name}: no supervisor to freeze`);
    return processTree(supervisor);
  }
  const pids =
    kind === 'postmaster' ? [victim.pid] : [c.supervisorPid(victim.name), victim.patroniPid, victim.pid];
  if (pids.some((p) => !p || !processAlive(p)))
    throw new Error(`${victim.name}: not every process to kill is running (${pids.join(', ')})`);
  return pids as number[];
}

function primaryOf(s: ClusterStatus): MemberStatus {
  const p = s.members.find((m) => m.role === 'primary');
  if (!p) throw new Error(`${s.name} has no primary`);
  return p;
}

export const KIND_LABEL: Record<KillKind, string> = {
  postmaster: 'postmaster kill',
  member: 'member loss',
  freeze: 'frozen primary',
};

/**
 * Kills the primary's postmaster (or its whole member, or freezes it) under a steady write load and
 * measures the outage. Fails when writes have not resumed `resumeTimeoutMs` after the kill.
 */
export async function measureFailover(
  c: BenchCluster,
  kind: KillKind,
  resumeTimeoutMs = 180_000,
): Promise<FailoverSample> {
  const before = await c.waitSteady();
  const victim = primaryOf(before);
  const rw = await c.uri();
  const table = await newTable(rw);
  const { writer, stop } = startWriter(rw, table);
  try {
    await writer.waitForAcks(30, 30_000);
    const pids = pidsToKill(c, victim, kind);
    for (const pid of pids) process.kill(pid, SIGNAL[kind]);
    const killedAt = Date.now();
    const load1 = loadavg()[0] as number;
    try {
      await writer.waitForAcks(30, resumeTimeoutMs).catch((e: Error) => {
        throw new Error(`${KIND_LABEL[kind]} of ${victim.name}: ${e.message}`);
      });
    } finally {
      // A frozen member must never thaw as a second primary: it goes for good, `heal` recreates it.
      if (kind === 'freeze') for (const pid of pids) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    const report = await stop();
    const resumed = resumedAfter(report.ackTimes, killedAt);
    const after = await waitFor(`${c.name} to report a running primary`, async () => {
      const s = await c.status();
      return s.members.some((m) => m.role === 'primary' && m.state === 'running') ? s : undefined;
    });
    const newPrimary = primaryOf(after);
    return {
      kind,
      victim: victim.name,
      newPrimary: newPrimary.name,
      rtoMs: resumed.at - killedAt,
      stragglerAcks: resumed.stragglers,
      acknowledged: report.acknowledged.length,
      failedAttempts: report.failures,
      lost: await lostWrites(rw, table, report),
      timelineBefore: victim.timeline,
      timelineAfter: newPrimary.timeline,
      load1,
    };
  } finally {
    await stop();
  }
}

/** Runs `pgcluster switchover NAME` under a steady write load; the window is the longest gap between acks. */
export async function measureSwitchover(c: BenchCluster): Promise<SwitchoverSample> {
  const before = await c.waitSteady();
  const rw = await c.uri();
  const table = await newTable(rw);
  const { writer, stop } = startWriter(rw, table);
  try {
    await writer.waitForAcks(30, 30_000);
    const started = Date.now();
    const load1 = loadavg()[0] as number;
    const out = await cli(c.stateDir, ['switchover', c.name]);
    const cliMs = Date.now() - started;
    if (out.code !== 0)
      throw new Error(`pgcluster switchover exited ${out.code}:\n${out.stderr}${out.stdout}`);
    await writer.waitForAcks(30, 60_000);
    const report = await stop();
    const reported = /in ([\d.]+) s\s*$/.exec(out.stderr.trim());
    const after = await c.status();
    return {
      from: primaryOf(before).name,
      to: primaryOf(after).name,
      windowMs: longestGapSince(report.ackTimes, started),
      cliMs,
      cliReportedSeconds: reported ? Number(reported[1]) : undefined,
      acknowledged: report.acknowledged.length,
      lost: await lostWrites(rw, table, report),
      load1,
    };
  } finally {
    await stop();
  }
}
