/**
 * Planned switchover through Patroni, without errors for the pooler's clients:
 *   1. CHECKPOINT on the primary, so the demotion's own checkpoints have little left to write;
 *   2. the pooler PAUSEd (session clients first pooled per transaction, pooler.carrySessions):
 *      running transactions finish, new ones wait, bounded by pooler.pauseTimeout. Locally the
 *      PAUSE is armed for the moment the old primary stops (Patroni's before_stop hook), so clients
 *      do not wait while Patroni checks the members and writes its checkpoint;
 *   3. Patroni switches over (the old primary stops, the candidate takes the lock and promotes);
 *   4. the pooler repointed at the new primary and RESUMEd: waiting transactions run there.
 * The new primary's Patroni callback repoints and resumes the pooler too, as soon as it accepts
 * writes (platform/local/scripts/pooler-follow.py); step 4 is the action's own guarantee.
 */
import type { ClusterSpec } from '../spec/cluster';
import type { ClusterAccess, PauseResult, Platform, PoolerControl } from '../platform/types';
import { ActionError, InputError } from '../errors';
import { getCluster, postJson, type PatroniCluster, type PatroniMember } from '../patroni/api';
import { isRunningLeader, isServing, isSynchronousRole } from '../patroni/roles';
import { connectTo, withClient } from '../sql/connect';
import { reachMember } from '../platform/reach';
import { sleep } from '../util/sleep';
import { servingMembers } from '../plan/members';
import { waitHealthy } from './health';
import type { Reporter } from '../report/reporter';

export interface SwitchoverResult {
  from: string;
  to: string;
  seconds: number;
  changed: boolean;
  /** How long the pooler held its clients (PAUSE to RESUME), when there is one to steer. */
  poolerHeldSeconds?: number;
}

/**
 * Patroni's view of the cluster; in synchronous mode, once Patroni has recorded a synchronous
 * standby (it does so ~2 s after PostgreSQL has one), since only such a standby may be promoted.
 */
async function patroniView(urls: string[], synchronous: boolean): Promise<PatroniCluster | undefined> {
  const deadline = Date.now() + SYNC_WAIT_MS;
  for (;;) {
    const cluster = await getCluster(urls);
    const recorded = cluster?.members.some((m) => isSynchronousRole(m.role));
    if (!synchronous || recorded || Date.now() > deadline) return cluster;
    await sleep(250);
  }
}

const SYNC_WAIT_MS = 15_000;
const NEW_LEADER_TIMEOUT_MS = 120_000;
/** How long the pooler's clients wait, past the new leader's election, for it to accept writes. */
const WRITABLE_TIMEOUT_MS = 30_000;

const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The refusals of a switchover to `candidate`, before anything is touched. */
function checkCandidate(
  spec: ClusterSpec,
  cluster: PatroniCluster,
  leader: PatroniMember,
  members: string[],
  candidate: string,
): void {
  if (!members.includes(candidate))
    throw new InputError(
      `--to ${candidate}: not a member of ${spec.name}; members are ${members.join(', ')}`,
    );
  const state = cluster.members.find((m) => m.name === candidate);
  if (!state || !isServing(state.state))
    throw new ActionError(
      `--to ${candidate}: it is ${state ? state.state : 'not running'}; it must be a streaming replica`,
    );
  const syncStandbys = cluster.members.filter((m) => isSynchronousRole(m.role)).map((m) => m.name);
  if (spec.synchronous && !syncStandbys.includes(candidate))
    throw new InputError(
      `--to ${candidate}: in synchronous mode only a synchronous standby can be promoted without losing ` +
        `acknowledged writes; now ${syncStandbys.length ? syncStandbys.join(', ') : 'none'}`,
    );
  if (candidate === leader.name) throw new Error('unreachable: the candidate is the leader');
}

/** CHECKPOINT on the primary: what the demotion's checkpoints would write is written now, outside the window. */
async function checkpoint(access: ClusterAccess, leader: PatroniMember, reporter: Reporter): Promise<void> {
  const started = Date.now();
  try {
    await withClient(await connectTo(await reachMember(access, leader), access.superuser()), (c) =>
      c.query('CHECKPOINT'),
    );
    reporter.step(`CHECKPOINT on ${leader.name} in ${s1(Date.now() - started)}`);
  } catch (e) {
    // Only an optimisation: the switchover does not depend on it.
    reporter.step(`CHECKPOINT on ${leader.name} failed (${(e as Error).message}); switching over anyway`);
  }
}

/** How the pooler holds its clients: paused now (`since`), or armed to pause as the leader stops. */
interface PoolerHold {
  since?: number;
  armed: boolean;
}

/**
 * Holds the pooler's clients: loosen session clients, then PAUSE (bounded) — armed for the moment
 * the leader's PostgreSQL stops where the platform can (so clients wait only from then on), now
 * otherwise. A PAUSE at the stop runs inside Patroni's demotion, whose leader lock lives ha.ttl
 * seconds: a pooler.pauseTimeout over half of it pauses now instead.
 */
async function holdPooler(
  pooler: PoolerControl,
  spec: ClusterSpec,
  leader: string,
  reporter: Reporter,
): Promise<PoolerHold> {
  await pooler.loosen();
  const timeoutMs = spec.pooler.pauseTimeout * 1000;
  if (spec.pooler.pauseTimeout <= spec.ha.ttl / 2 && pooler.pauseAtStop?.(leader, timeoutMs)) {
    reporter.step(`the pooler pauses as ${leader} stops (running transactions finish; new ones wait)`);
    return { armed: true };
  }
  const started = Date.now();
  reportPause(await pooler.pause(timeoutMs), spec, reporter);
  return { since: started, armed: false };
}

function reportPause(paused: PauseResult, spec: ClusterSpec, reporter: Reporter, where = ''): void {
  reporter.step(
    paused.complete
      ? `paused the pooler${where} in ${s1(paused.ms)} (running transactions finished; new ones wait)`
      : `the pooler still had ${paused.busy < 0 ? 'some' : paused.busy} server connection(s) in use after ` +
          `pooler.pauseTimeout ${spec.pooler.pauseTimeout} s: switching over anyway, their transactions are cut`,
  );
}

/** The new running leader once the old one has handed over (Patroni may answer before it runs). */
async function newLeader(
  access: ClusterAccess,
  old: string,
  timeoutMs: number,
  /** An error to stop on (Patroni refused the switchover), checked between polls. */
  refusal: () => Error | undefined = () => undefined,
): Promise<PatroniMember | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const refused = refusal();
    if (refused) throw refused;
    const leader = (await getCluster(Object.values(access.apiUrls())))?.members.find(isRunningLeader);
    if (leader && leader.name !== old) return leader;
    await sleep(50);
  }
  return undefined;
}

/**
 * Resolves once `member` accepts writes (out of recovery), or after `timeoutMs` with false. Patroni
 * names the new leader as soon as it holds the lock, while its PostgreSQL may still be ending
 * recovery: a pooler resumed at it then hands out a read-only server ("cannot execute UPDATE in a
 * read-only transaction").
 */
async function untilWritable(
  access: ClusterAccess,
  member: PatroniMember,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const client = await connectTo(await reachMember(access, member), access.superuser());
      const writable = await withClient(client, async (c) => {
        while (Date.now() < deadline) {
          const { rows } = await c.query<{ recovery: boolean }>('select pg_is_in_recovery() as recovery');
          if (rows[0]?.recovery === false) return true;
          await sleep(10);
        }
        return false;
      });
      if (writable) return true;
    } catch {
      await sleep(50); // not accepting connections yet
    }
  }
  return false;
}

/**
 * A streaming replica to switch over to that is not in `exclude` (members about to be fenced or
 * removed): a synchronous standby in synchronous mode (only those can be promoted without losing
 * acknowledged writes), else any. Undefined: none fits.
 */
export function pickCandidate(
  cluster: PatroniCluster,
  leader: string,
  exclude: readonly string[],
  synchronous: boolean,
): string | undefined {
  const streaming = cluster.members.filter(
    (m) => m.name !== leader && !exclude.includes(m.name) && m.state === 'streaming',
  );
  return (
    streaming.find((m) => !synchronous || isSynchronousRole(m.role)) ??
    (synchronous ? undefined : streaming[0])
  )?.name;
}

export async function switchover(
  /** The platform repoints its pooler after; absent (Kubernetes readiness): its pooler follows -rw. */
  platform: Pick<Platform, 'syncPooler'> | undefined,
  access: ClusterAccess,
  spec: ClusterSpec,
  candidate: string | undefined,
  reporter: Reporter,
): Promise<SwitchoverResult> {
  const urls = access.apiUrls();
  const members = servingMembers(Object.keys(urls), spec.fenced);
  const cluster = await patroniView(Object.values(urls), spec.synchronous !== undefined);
  const leader = cluster?.members.find(isRunningLeader);
  if (!cluster || !leader)
    throw new ActionError(`cluster ${spec.name} has no running primary to switch over from`);
  if (candidate === leader.name) {
    reporter.done(`${candidate} is already the primary`);
    return { from: leader.name, to: candidate, seconds: 0, changed: false };
  }
  if (candidate !== undefined) checkCandidate(spec, cluster, leader, members, candidate);
  const started = Date.now();
  reporter.step(`switching over from ${leader.name}${candidate ? ` to ${candidate}` : ''}`);
  await checkpoint(access, leader, reporter);
  const pooler = await access.pooler?.();
  const hold = pooler ? await holdPooler(pooler, spec, leader.name, reporter) : undefined;
  let to: string | undefined;
  let heldMs: number | undefined;
  let writable = true;
  // Patroni answers the request only once its own poll (in steps of a second) has seen the new
  // leader: the new leader is watched meanwhile, so the pooler resumes as soon as it accepts writes.
  let refused: Error | undefined;
  const asked = postJson(`${urls[leader.name]}/switchover`, {
    leader: leader.name,
    // None named, Patroni picks it: every replica races for the lock, so the ones that lose follow
    // the new leader at once (named, the others follow only at their next HA loop, and in
    // synchronous mode no commit completes on the new primary until one does: measured, 2.5 s).
    ...(candidate ? { candidate } : {}),
  }).then(
    (res) => {
      if (res.status !== 200)
        refused = new ActionError(`switchover refused by Patroni: HTTP ${res.status} ${res.text}`);
    },
    () => undefined, // no answer: the new leader decides
  );
  try {
    const next = await newLeader(access, leader.name, NEW_LEADER_TIMEOUT_MS, () => refused);
    if (!next) throw new ActionError(`no new primary ${s1(NEW_LEADER_TIMEOUT_MS)} after the switchover`);
    to = next.name;
    if (pooler) writable = await untilWritable(access, next, WRITABLE_TIMEOUT_MS);
  } finally {
    if (pooler && hold) {
      const atStop = hold.armed ? pooler.pausedAtStop?.() : undefined;
      if (atStop) reportPause(atStop, spec, reporter, ` as ${leader.name} stopped`);
      else if (hold.armed) reporter.step(`the pooler did not pause: ${leader.name} did not stop`);
      // Never leave clients waiting: back to whichever member leads now, even after a failure.
      const current =
        to ?? (await getCluster(Object.values(urls)))?.members.find(isRunningLeader)?.name ?? leader.name;
      await pooler.resumeAt(current);
      const since = hold.since ?? atStop?.at;
      heldMs = since === undefined ? 0 : Math.max(0, Date.now() - since);
      reporter.step(
        `the pooler targets ${current} and resumed (clients waited at most ${s1(heldMs)})` +
          (writable ? '' : `; ${current} did not accept writes within ${s1(WRITABLE_TIMEOUT_MS)}`),
      );
    }
  }
  await asked;
  if (candidate && to !== candidate)
    throw new ActionError(`switchover ended with ${to} as primary, not ${candidate}`);
  await waitHealthy(access, spec, members, 120_000, reporter);
  await platform?.syncPooler(spec, to, reporter);
  const seconds = (Date.now() - started) / 1000;
  reporter.done(
    `promoted ${to}; ${leader.name} rejoined as replica in ${seconds.toFixed(1)} s` +
      (heldMs !== undefined ? ` (pooler clients held ${s1(heldMs)})` : ''),
  );
  return {
    from: leader.name,
    to,
    seconds,
    changed: true,
    ...(heldMs !== undefined ? { poolerHeldSeconds: heldMs / 1000 } : {}),
  };
}
