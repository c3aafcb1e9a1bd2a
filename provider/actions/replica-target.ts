/**
 * replica.target: the promotion of a delayed replica cluster to a time. Patroni pauses (it would
 * otherwise restart the member as a standby, and it strips recovery_target* from a standby's recovery
 * parameters), the platform restarts the standby leader's PostgreSQL in targeted recovery, and
 * PostgreSQL promotes itself at the time; promoteCluster then drops standby_cluster and resumes
 * Patroni, which adopts the running primary. Refused before anything is touched when the time is in
 * the future, after the source's last archived segment, or before what the cluster has replayed; an
 * archive that ends before it leaves the cluster a replica cluster, as it was.
 */
import type { ClusterSpec } from '../spec/cluster';
import type { ClusterAccess, Platform, TargetRecovery } from '../platform/types';
import { ActionError, InputError } from '../errors';
import {
  getCluster,
  getDynamicConfig,
  getJson,
  patchDynamicConfig,
  type PatroniMember,
} from '../patroni/api';
import { connectTo, withClient } from '../sql/connect';
import { reachMember } from '../platform/reach';
import { sleep } from '../util/sleep';
import type { Reporter } from '../report/reporter';

const RECOVERY_TIMEOUT_MS = 10 * 60_000;

const iso = (ms: number) => new Date(ms).toISOString();

/** What is known of a replica cluster and its source when a promotion to a time is asked for. */
export interface TargetFacts {
  /** Now (epoch ms). */
  now: number;
  /** The commit time of the last transaction the standby leader replayed (null: none since it started). */
  replayedAt: number | null;
  /** The time of the checkpoint it last restarted from: what it replayed, when no commit since. */
  checkpointAt: number | null;
  /** When the source last archived a WAL segment (null: the source does not answer). */
  archivedAt: number | null;
}

/** target.time as epoch ms. */
export function targetMs(time: string): number {
  return Date.parse(time.replace(' ', 'T'));
}

/**
 * The refusal of a target that cannot be reached, before anything is touched: a time in the future,
 * one the source's archive holds no WAL after yet (nothing was archived since), or one before what the
 * standby leader has replayed (replay cannot go back).
 */
export function targetIssue(spec: ClusterSpec, facts: TargetFacts): string | undefined {
  const target = spec.replica?.target;
  if (!target) return undefined;
  const at = targetMs(target.time);
  const source = spec.replica?.source.cluster ?? spec.replica?.source.host;
  if (at > facts.now)
    return `replica.target.time: ${target.time} is in the future (now ${iso(facts.now)}): the archive holds nothing after now; give a time that has passed`;
  if (facts.archivedAt !== null && facts.archivedAt <= at)
    return (
      `replica.target.time: ${target.time} is after the last WAL segment ${source} archived (${iso(facts.archivedAt)}): ` +
      `its archive holds no commit after that time yet, so the replay could not tell where to stop. Wait for ${source} ` +
      'to archive past it (a full segment, archive_timeout, or pg_switch_wal())'
    );
  // The last replayed commit; when none since PostgreSQL started, the checkpoint it restarted from
  // (a bound that may refuse a time it could still reach, never one it replayed past).
  const replayed = facts.replayedAt ?? facts.checkpointAt;
  if (replayed === null || at > replayed || (at === replayed && !target.exclusive)) return undefined;
  const what =
    facts.replayedAt !== null
      ? `its last replayed commit (${iso(replayed)})`
      : `the checkpoint it last restarted from (${iso(replayed)}; no commit replayed since)`;
  return (
    `replica.target.time: ${target.time} is before what ${spec.name} has already replayed, ${what}: ` +
    'replay cannot go back. A copy as of that time is a new cluster with bootstrap.recovery target.time from ' +
    "the source's archive; a longer replica.applyDelay keeps a longer window"
  );
}

async function inRecovery(access: ClusterAccess, leader: PatroniMember): Promise<boolean | undefined> {
  try {
    return await withClient(
      await connectTo(await reachMember(access, leader), access.superuser()),
      async (c) => {
        const { rows } = await c.query<{ recovery: boolean }>('select pg_is_in_recovery() as recovery');
        return rows[0]?.recovery;
      },
    );
  } catch {
    return undefined; // starting, or stopped
  }
}

/** Waits until the member's own HA loop runs paused (GET /patroni): it then restarts no PostgreSQL. */
async function waitPaused(url: string, member: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = await getJson<{ pause?: boolean }>(`${url}/patroni`, 2000).catch(() => undefined);
    if (state?.pause === true) return;
    await sleep(200);
  }
  throw new ActionError(`replica.target: ${member}'s Patroni did not pause within ${timeoutMs / 1000} s`);
}

/** Waits until the cluster has no leader lock (Patroni's /cluster shows no leader). */
async function waitUnlocked(access: ClusterAccess, member: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const cluster = await getCluster(Object.values(access.apiUrls()));
    if (cluster && !cluster.members.some((m) => m.role === 'leader' || m.role === 'standby_leader')) return;
    await sleep(200);
  }
  throw new ActionError(
    `replica.target: ${member} still holds the leader lock ${timeoutMs / 1000} s after standby_cluster was removed (Patroni paused)`,
  );
}

/** Promotes the standby leader at spec.replica.target; returns once its PostgreSQL accepts writes. */
export async function promoteAtTarget(
  platform: Platform,
  spec: ClusterSpec,
  access: ClusterAccess,
  leader: PatroniMember,
  leaderUrl: string,
  reporter: Reporter,
): Promise<void> {
  const target = spec.replica!.target!;
  if (!platform.targetPromotion)
    throw new InputError(`replica.target: platform ${platform.kind} cannot promote to a time; remove it`);
  const steps = platform.targetPromotion(spec);
  const standby = (await getDynamicConfig(leaderUrl)).standby_cluster;
  await patchDynamicConfig(leaderUrl, { pause: true });
  await waitPaused(leaderUrl, leader.name);
  // standby_cluster removed while paused: Patroni drops the standby leader's lock ("postgres is not
  // running as primary") and, with no lock and nothing to follow, leaves PostgreSQL alone. With the
  // lock and standby_cluster, even a paused Patroni restarts a standby leader whose recovery settings
  // differ from its own (seen when a reload made it read them again): the targeted recovery undone.
  await patchDynamicConfig(leaderUrl, { standby_cluster: null });
  await waitUnlocked(access, leader.name);
  const back = () => patchDynamicConfig(leaderUrl, { standby_cluster: standby, pause: spec.maintenance });
  const since = Date.now();
  reporter.step(
    `${leader.name}: replaying up to ${target.time}${target.exclusive ? ' (exclusive)' : ''}, then promoting`,
  );
  let recovery: TargetRecovery;
  try {
    recovery = await steps.restart(leader.name, target);
  } catch (e) {
    steps.backToStandby(leader.name);
    await back();
    throw e;
  }
  const deadline = since + RECOVERY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await sleep(200);
    if ((await inRecovery(access, leader)) === false) {
      reporter.step(
        `${leader.name} reached ${target.time} and promoted itself in ${((Date.now() - since) / 1000).toFixed(1)} s`,
      );
      return;
    }
    const failure = recovery.failure();
    if (failure) {
      steps.backToStandby(leader.name);
      await back();
      throw new ActionError(
        `replica.target.time: ${spec.name} could not replay up to ${target.time} (PostgreSQL: ${failure}); ` +
          `nothing was promoted: ${leader.name} is a standby again and follows the archive (what it replayed ` +
          'meanwhile, without the delay, stays replayed). The archive must hold a commit after the time',
      );
    }
  }
  throw new ActionError(
    `replica.target.time: ${leader.name} was still replaying towards ${target.time} after ${RECOVERY_TIMEOUT_MS / 60_000} min; ` +
      'Patroni stays paused and standby_cluster removed: see its PostgreSQL log',
  );
}
