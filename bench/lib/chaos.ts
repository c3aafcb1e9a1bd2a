/**
 * The chaos suite: faults drawn at random (seeded, the seed printed) against a 3-member synchronous
 * cluster (number 1, dataDurability required) under continuous writes, healed by the cluster itself
 * (Patroni, the peer watch, pre_promote fencing, the keeper). After each fault:
 *   - writes resume and the cluster is back to 3 healthy members within HEAL_BOUND_MS;
 * over the whole run:
 *   - 0 acknowledged writes lost (the SequentialWriter's ids, checked on the primary at the end);
 *   - never two members accepting a write at the same moment: every 100 ms each member is asked to
 *     commit an insert with synchronous_commit = local (any session may set it, so strict
 *     synchronous mode alone does not make a stale primary harmless); each commit is known to have
 *     happened between the server's clock_timestamp() inside the statement and the client's
 *     acknowledgement (same host, same clock), and two such intervals of different members that
 *     overlap are a dual-primary moment.
 * Faults: kill -9 of the primary's postmaster, of its whole member, of its Patroni alone; SIGSTOP of
 * the whole primary member for 15 s, then SIGCONT; etcd killed (the keeper restarts it); a replica
 * killed whole; a planned switchover during the writes.
 */
import { loadavg } from 'node:os';
import { Client } from 'pg';
import { cli } from '../../test/helpers/cli';
import { connectMatching, perHost, sleep } from '../../test/helpers/pg';
import { SequentialWriter, type WriterReport } from '../../test/helpers/writer';
import type { ClusterStatus, MemberStatus } from '../../provider/actions/status';
import { isServing } from '../../provider/patroni/roles';
import type { BenchCluster } from './cluster';
import { longestGapSince, processTree } from './failover';

export const FAULTS = ['postmaster', 'member', 'patroni', 'freeze', 'etcd', 'replica', 'switchover'] as const;
export type Fault = (typeof FAULTS)[number];

/** How long a frozen primary stays frozen (the 15 s; PGCLUSTER_CHAOS_FREEZE_MS overrides). */
export const FREEZE_MS = Number(process.env.PGCLUSTER_CHAOS_FREEZE_MS ?? 15_000);
export const HEAL_BOUND_MS = 90_000;
const PROBE_EVERY_MS = 100;

/** mulberry32: a small seeded PRNG, so a run is repeated by its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultResult {
  fault: Fault;
  victim: string;
  /** Longest gap between acknowledged writes from the fault until healed (the write outage). */
  outageMs: number;
  /** Fault to 3 healthy members again. */
  healMs: number;
  load1: number;
  error?: string;
}

export interface Commit {
  member: string;
  /** The server's clock inside the statement: the commit is after this. */
  from: number;
  /** The client's acknowledgement: the commit is before this. */
  to: number;
}

export interface DualPrimary {
  a: Commit;
  b: Commit;
}

/** Commits of different members whose intervals overlap. Pure. */
export function dualPrimaryMoments(commits: readonly Commit[]): DualPrimary[] {
  const sorted = [...commits].sort((x, y) => x.from - y.from);
  const out: DualPrimary[] = [];
  // The latest-ending commit seen so far, per member.
  const open = new Map<string, Commit>();
  for (const c of sorted) {
    for (const [member, other] of open)
      if (member !== c.member && other.to >= c.from) out.push({ a: other, b: c });
    const prev = open.get(c.member);
    if (!prev || prev.to < c.to) open.set(c.member, c);
  }
  return out;
}

/** Every 100 ms, one commit attempt with synchronous_commit = local on each member. */
export class DualPrimaryProbe {
  readonly commits: Commit[] = [];
  attempts = 0;
  private stopped = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly members: ReadonlyArray<{ name: string; uri: string }>) {}

  start(): void {
    this.loops = this.members.map((m) => this.run(m.name, m.uri));
  }

  private async run(member: string, uri: string): Promise<void> {
    let client: Client | undefined;
    while (!this.stopped) {
      const started = Date.now();
      try {
        if (!client) {
          client = new Client({
            connectionString: uri,
            connectionTimeoutMillis: 1000,
            query_timeout: 30_000,
          });
          client.on('error', () => undefined);
          await client.connect();
          await client.query('set synchronous_commit = local');
        }
        this.attempts++;
        const { rows } = await client.query<{ at: Date }>(
          'insert into chaos_probe (member) values ($1) returning clock_timestamp() as at',
          [member],
        );
        const to = Date.now();
        const at = rows[0]?.at;
        if (at) this.commits.push({ member, from: at.getTime(), to });
      } catch (e) {
        // A replica refuses (25006, read-only): the connection is fine, keep it.
        if ((e as { code?: string }).code !== '25006') {
          await client?.end().catch(() => undefined);
          client = undefined;
        }
      }
      await sleep(Math.max(0, PROBE_EVERY_MS - (Date.now() - started)));
    }
    await client?.end().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }
}

function healthy(s: ClusterStatus): boolean {
  const primary = s.members.find((m) => m.role === 'primary');
  return (
    primary !== undefined &&
    isServing(primary.state) &&
    s.members.length === 3 &&
    s.members.filter((m) => m.role !== 'primary' && m.state === 'streaming').length === 2
  );
}

async function waitHealthy(c: BenchCluster, since: number): Promise<number> {
  while (Date.now() - since < HEAL_BOUND_MS) {
    const s = await c.status().catch(() => undefined);
    if (s && healthy(s)) return Date.now() - since;
    await sleep(200);
  }
  throw new Error(`not back to 3 healthy members within ${HEAL_BOUND_MS / 1000} s`);
}

function kill(pids: Array<number | null | undefined>, signal: NodeJS.Signals): void {
  for (const pid of pids)
    if (pid)
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
}

/** Injects one fault; resolves when it is fully applied (a freeze: after the thaw). */
export async function inject(
  c: BenchCluster,
  fault: Fault,
  s: ClusterStatus,
  random: () => number,
  freezeMs = FREEZE_MS,
): Promise<string> {
  const primary = s.members.find((m) => m.role === 'primary') as MemberStatus;
  const replicas = s.members.filter((m) => m.role !== 'primary');
  switch (fault) {
    case 'postmaster':
      kill([primary.pid], 'SIGKILL');
      return primary.name;
    case 'member':
      kill([c.supervisorPid(primary.name), primary.patroniPid, primary.pid], 'SIGKILL');
      return primary.name;
    case 'patroni':
      kill([primary.patroniPid], 'SIGKILL');
      return primary.name;
    case 'freeze': {
      const supervisor = c.supervisorPid(primary.name);
      if (!supervisor) throw new Error(`${primary.name}: no supervisor`);
      const tree = processTree(supervisor);
      kill(tree, 'SIGSTOP');
      await sleep(freezeMs);
      // Everything that was frozen (what pre_promote fenced is gone already).
      kill(tree, 'SIGCONT');
      return primary.name;
    }
    case 'etcd':
      kill([s.services.etcd?.pid], 'SIGKILL');
      return 'etcd';
    case 'replica': {
      const victim = replicas[Math.floor(random() * replicas.length)] as MemberStatus;
      kill([c.supervisorPid(victim.name), victim.patroniPid, victim.pid], 'SIGKILL');
      return victim.name;
    }
    case 'switchover': {
      const out = await cli(c.stateDir, ['switchover', c.name]);
      if (out.code !== 0) throw new Error(`pgcluster switchover exited ${out.code}: ${out.stderr.trim()}`);
      return primary.name;
    }
  }
}

export interface ChaosReport {
  seed: number;
  faults: FaultResult[];
  acknowledged: number;
  lost: number[];
  probeCommits: number;
  probeAttempts: number;
  dualPrimary: DualPrimary[];
}

export async function runChaos(
  c: BenchCluster,
  count: number,
  seed: number,
  say: (message: string) => void = () => undefined,
): Promise<ChaosReport> {
  const random = prng(seed);
  const rw = await c.uri();
  const setup = await connectMatching(rw, true);
  try {
    await setup.query('create table if not exists chaos_writes (id int primary key)');
    await setup.query('create table if not exists chaos_probe (member text, at timestamptz default now())');
  } finally {
    await setup.end();
  }
  const su = await c.uri('--superuser');
  const status = await c.waitSteady();
  const hosts = perHost(su.replace(/\?.*$/, ''));
  const probe = new DualPrimaryProbe(
    status.members.map((m) => ({
      name: m.name,
      uri: (hosts.find((u) => u.includes(`:${m.port}/`)) as string).replace(/\/postgres$/, '/app'),
    })),
  );
  const writer = new SequentialWriter(rw, 'chaos_writes');
  writer.start();
  probe.start();
  const faults: FaultResult[] = [];
  let report: WriterReport | undefined;
  try {
    await writer.waitForAcks(20, 30_000);
    for (let i = 0; i < count; i++) {
      const fault = FAULTS[Math.floor(random() * FAULTS.length)] as Fault;
      const before = await c.waitSteady(HEAL_BOUND_MS);
      const at = Date.now();
      const load1 = loadavg()[0] as number;
      let victim = '?';
      try {
        victim = await inject(c, fault, before, random);
        const healMs = await waitHealthy(c, at);
        await writer.waitForAcks(5, HEAL_BOUND_MS);
        const outageMs = longestGapSince(writer.report.ackTimes, at);
        faults.push({ fault, victim, outageMs, healMs, load1 });
        say(
          `fault ${i + 1}/${count}: ${fault} of ${victim}: writes out ${outageMs} ms, 3 healthy after ${healMs} ms`,
        );
      } catch (e) {
        faults.push({ fault, victim, outageMs: NaN, healMs: NaN, load1, error: (e as Error).message });
        say(`fault ${i + 1}/${count}: ${fault} of ${victim}: FAILED ${(e as Error).message}`);
        // The cluster heals with `up` so the other faults still count.
        await c.heal().catch(() => undefined);
      }
    }
  } finally {
    report = await writer.stop();
    await probe.stop();
  }
  const check = await connectMatching(rw, true);
  let lost: number[] = [];
  try {
    const { rows } = await check.query<{ id: number }>('select id from chaos_writes');
    const stored = new Set(rows.map((r) => Number(r.id)));
    lost = report.acknowledged.filter((id) => !stored.has(id));
  } finally {
    await check.end();
  }
  return {
    seed,
    faults,
    acknowledged: report.acknowledged.length,
    lost,
    probeCommits: probe.commits.length,
    probeAttempts: probe.attempts,
    dualPrimary: dualPrimaryMoments(probe.commits),
  };
}

/** RTO by fault type: count, min / median / max of the outage and of the time back to 3 healthy. */
export function byFault(
  faults: readonly FaultResult[],
): Array<{ fault: Fault; n: number; outage: number[]; heal: number[]; failed: number }> {
  return FAULTS.map((fault) => {
    const of = faults.filter((f) => f.fault === fault);
    const ok = of.filter((f) => !f.error);
    return {
      fault,
      n: of.length,
      outage: ok.map((f) => f.outageMs).sort((a, b) => a - b),
      heal: ok.map((f) => f.healMs).sort((a, b) => a - b),
      failed: of.length - ok.length,
    };
  }).filter((r) => r.n > 0);
}
