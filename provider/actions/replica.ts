/**
 * spec.replica during `up`: the cluster's role in its group made to match `replica.primary`.
 * A planned switch demotes the current primary cluster cleanly (Patroni's standby_cluster, as
 * `patronictl demote-cluster` does), records its last WAL position (state and DCS), waits until the
 * new primary cluster has replayed up to it, promotes it (standby_cluster removed, as
 * `promote-cluster`), and checks the old one follows on the new timeline, data directory kept.
 * An unplanned promotion (the source answers no more) reports its RPO from the source watch's
 * record (plan/rpo.ts) and needs replica.force when that is unknown.
 */
import type { ClusterSpec } from '../spec/cluster';
import { isReplicaCluster } from '../spec/replica';
import type { ClusterAccess, DemotionRecord, Platform } from '../platform/types';
import type { StandbyContext } from '../render/context';
import { renderStandbyCluster } from '../render/patroni';
import { ActionError, InputError } from '../errors';
import {
  getCluster,
  getDynamicConfig,
  leaderOf,
  patchDynamicConfig,
  postJson,
  type PatroniMember,
} from '../patroni/api';
import { CLUSTER_ROLE, isRunningLeader, MEMBER_STATE } from '../patroni/roles';
import { connectTo, withClient } from '../sql/connect';
import { reachMember } from '../platform/reach';
import { lsnDiff, lsnReached } from '../plan/lsn';
import { unplannedRpo, type Rpo } from '../plan/rpo';
import { promoteAtTarget, targetIssue } from './replica-target';
import type { Reporter } from '../report/reporter';
import { sleep } from '../util/sleep';

const ROLE_TIMEOUT_MS = 120_000;
export const REPLAY_TIMEOUT_MS = 120_000;

interface Position {
  recovery: boolean;
  /** Replayed (a standby) or written (a primary) WAL position. */
  lsn: string;
  /** Received WAL position (a standby; null when nothing streamed). */
  received: string | null;
  /** The commit time (epoch ms) of the last transaction replayed (a standby); null when none since its start. */
  replayedAt: number | null;
  /** The time (epoch ms) of the checkpoint (a standby: restartpoint) in pg_control. */
  checkpointAt: number | null;
  timeline: number;
}

/** Where the leader's WAL is, and its timeline: the latest it has a history file of (pg_control's lags until a checkpoint). */
async function position(access: ClusterAccess, leader: PatroniMember): Promise<Position> {
  const at = await withClient(
    await connectTo(await reachMember(access, leader), access.superuser()),
    async (c) => {
      const { rows } = await c.query<{
        recovery: boolean;
        lsn: string;
        received: string | null;
        replayedAt: number | null;
        checkpointAt: number | null;
        timeline: number;
      }>(
        `select pg_is_in_recovery() as recovery,
              (extract(epoch from pg_last_xact_replay_timestamp()) * 1000)::float8 as "replayedAt",
              (extract(epoch from (pg_control_checkpoint()).checkpoint_time) * 1000)::float8 as "checkpointAt",
              (case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_lsn() end)::text as lsn,
              pg_last_wal_receive_lsn()::text as received,
              greatest((pg_control_checkpoint()).timeline_id,
                       (select max(('x' || substr(name, 1, 8))::bit(32)::int) from pg_ls_waldir()
                         where name ~ '^[0-9A-F]{8}[.]history$')) as timeline`,
      );
      return rows[0] as Position;
    },
  );
  const timeline = (await getCluster(urls(access)))?.members.find((m) => m.name === leader.name)?.timeline;
  return { ...at, timeline: timeline ?? at.timeline };
}

function urls(access: ClusterAccess): string[] {
  return Object.values(access.apiUrls());
}

/**
 * Waits until the leader has `role` in Patroni's view and PostgreSQL agrees (in recovery for a standby
 * leader, out of it for a primary): /cluster shows the role from the DCS configuration at once, before
 * Patroni has restarted or promoted PostgreSQL.
 */
async function waitLeaderRole(
  access: ClusterAccess,
  role: string,
  what: string,
  timeoutMs = ROLE_TIMEOUT_MS,
): Promise<{ leader: PatroniMember; at: Position }> {
  const deadline = Date.now() + timeoutMs;
  const recovery = role === CLUSTER_ROLE.standbyLeader;
  let last: PatroniMember | undefined;
  while (Date.now() < deadline) {
    last = await leaderOf(urls(access));
    if (last?.role === role && isRunningLeader(last)) {
      const at = await position(access, last).catch(() => undefined);
      if (at && at.recovery === recovery) return { leader: last, at };
    }
    await sleep(100);
  }
  throw new ActionError(
    `${what}: no ${role} after ${timeoutMs / 1000} s (leader: ${last ? `${last.name} ${last.role} ${last.state}` : 'none'})`,
  );
}

function leaderUrl(access: ClusterAccess, leader: PatroniMember): string {
  const url = access.apiUrls()[leader.name];
  if (!url) throw new ActionError(`no REST API address for ${leader.name}`);
  return url;
}

/** The demotion record a cluster's DCS holds (dynamic configuration `pgcluster.demotion`), else its state's. */
async function demotionOf(access: ClusterAccess, leader: PatroniMember): Promise<DemotionRecord | undefined> {
  const config = await getDynamicConfig(leaderUrl(access, leader)).catch(() => undefined);
  const fromDcs = (config?.pgcluster as { demotion?: DemotionRecord } | undefined)?.demotion;
  return fromDcs ?? access.demotion?.();
}

/**
 * Demotes the primary cluster behind `access` to a standby cluster following `standby`, cleanly
 * (fast shutdown: its shutdown checkpoint reaches the walsenders), and records where its WAL ended.
 */
export async function demoteCluster(
  access: ClusterAccess,
  name: string,
  to: string,
  standby: StandbyContext,
  reporter: Reporter,
): Promise<DemotionRecord> {
  const leader = await leaderOf(urls(access));
  if (!leader) throw new ActionError(`${name}: no leader answers, nothing to demote`);
  if (leader.role === CLUSTER_ROLE.standbyLeader) {
    const known = await demotionOf(access, leader);
    if (known) return known;
  }
  const t0 = Date.now();
  await patchDynamicConfig(leaderUrl(access, leader), { standby_cluster: renderStandbyCluster(standby) });
  const { leader: now, at } = await waitLeaderRole(access, CLUSTER_ROLE.standbyLeader, `demoting ${name}`);
  const record: DemotionRecord = { lsn: at.lsn, timeline: at.timeline, at: new Date().toISOString(), to };
  access.saveDemotion?.(record);
  await patchDynamicConfig(leaderUrl(access, now), { pgcluster: { demotion: record } });
  reporter.step(
    `demoted ${name} to a replica cluster of ${to} in ${((Date.now() - t0) / 1000).toFixed(1)} s: its WAL ends at ${record.lsn} (timeline ${record.timeline}), recorded in its state and its DCS`,
  );
  return record;
}

/** Waits until the standby leader behind `access` has replayed up to `lsn`. */
export async function waitReplayed(
  access: ClusterAccess,
  name: string,
  lsn: string,
  timeoutMs = REPLAY_TIMEOUT_MS,
): Promise<Position> {
  const deadline = Date.now() + timeoutMs;
  let last: Position | undefined;
  while (Date.now() < deadline) {
    const leader = await leaderOf(urls(access));
    if (leader) {
      last = await position(access, leader).catch(() => last);
      if (last && lsnReached(last.lsn, lsn)) return last;
    }
    await sleep(50);
  }
  throw new ActionError(
    `${name} has not replayed up to ${lsn} after ${timeoutMs / 1000} s (at ${last?.lsn ?? 'unknown'}); it was not promoted`,
  );
}

/** Promotes the standby cluster behind `access` (standby_cluster removed); returns its new leader. */
export async function promoteCluster(
  access: ClusterAccess,
  name: string,
): Promise<{ leader: PatroniMember; at: Position }> {
  const leader = await leaderOf(urls(access));
  if (!leader) throw new ActionError(`${name}: no standby leader answers, nothing to promote`);
  const before = await position(access, leader);
  await patchDynamicConfig(leaderUrl(access, leader), { standby_cluster: null });
  const promoted = await waitLeaderRole(access, CLUSTER_ROLE.leader, `promoting ${name}`);
  // The new timeline is in use once the end-of-recovery record is written, a moment after recovery ends.
  const deadline = Date.now() + 10_000;
  let at = promoted.at;
  while (at.timeline <= before.timeline && Date.now() < deadline) {
    await sleep(50);
    at = await position(access, promoted.leader).catch(() => at);
  }
  return { leader: promoted.leader, at };
}

/** Waits until the demoted cluster's standby leader streams the new primary cluster's timeline. */
async function waitFollowing(access: ClusterAccess, timeline: number, timeoutMs = ROLE_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const leader = await leaderOf(urls(access));
    if (leader?.role === CLUSTER_ROLE.standbyLeader && leader.state === MEMBER_STATE.streaming) {
      const p = await position(access, leader).catch(() => undefined);
      if (p?.recovery && p.timeline >= timeline) return leader;
    }
    await sleep(200);
  }
  return undefined;
}

/** The other cluster of the group (spec.replica.source), when this state dir manages it. */
interface Peer {
  name: string;
  access: ClusterAccess;
  spec?: ClusterSpec;
}

async function peerOf(platform: Platform, spec: ClusterSpec): Promise<Peer | undefined> {
  const name = spec.replica?.source.cluster;
  if (!name) return undefined;
  const runtime = await platform.runtime(name);
  if (!runtime.exists) return undefined;
  return { name, access: await platform.access(name), ...(runtime.spec ? { spec: runtime.spec } : {}) };
}

/** A role change this `up` did not ask for (its replica.primary unchanged) would undo the peer's switch. */
export function staleIssue(
  spec: ClusterSpec,
  recorded: ClusterSpec | undefined,
  peer: Pick<Peer, 'name' | 'spec'> | undefined,
): string | undefined {
  const declared = spec.replica?.primary;
  if (recorded?.replica?.primary !== declared || !peer?.spec?.replica) return undefined;
  const theirs = peer.spec.replica.primary;
  if (theirs === declared) return undefined;
  return (
    `replica.primary: ${JSON.stringify(declared)} is what the last up of ${spec.name} declared, but ${peer.name}'s last up ` +
    `declared ${JSON.stringify(theirs)} and the clusters follow it: set replica.primary: ${theirs} in this spec too ` +
    '(the same value on every cluster of the group), then change it on both to switch'
  );
}

export interface ReplicaOutcome {
  /** What this up changed: demoted, promoted, or nothing. */
  change?: 'demoted' | 'promoted';
  /** The new primary cluster is writable after this many seconds of no writable primary in the group. */
  noPrimarySeconds?: number;
}

function standbyFor(platform: Platform, spec: ClusterSpec): Promise<StandbyContext | undefined> {
  if (!platform.standbyCluster) throw new InputError(`replica: not available on platform ${platform.kind}`);
  return platform.standbyCluster(spec);
}

/** The peer's standby_cluster once this cluster is the group's primary: the peer's spec with primary = this cluster. */
async function peerStandby(platform: Platform, spec: ClusterSpec, peer: Peer): Promise<StandbyContext> {
  const theirs = peer.spec?.replica ?? { source: { cluster: spec.name }, via: 'streaming' as const };
  const peerSpec = {
    ...(peer.spec as ClusterSpec),
    replica: { ...theirs, source: { ...theirs.source, cluster: spec.name }, primary: spec.name },
  } as ClusterSpec;
  const standby = await standbyFor(platform, peerSpec);
  if (!standby) throw new ActionError(`${peer.name}: no standby configuration to follow ${spec.name}`);
  return standby;
}

async function promoteSelf(
  platform: Platform,
  spec: ClusterSpec,
  access: ClusterAccess,
  peer: Peer | undefined,
  reporter: Reporter,
): Promise<ReplicaOutcome> {
  if (spec.replica?.target) return promoteToTime(platform, spec, access, peer, reporter);
  const peerLeader = peer ? await leaderOf(urls(peer.access)) : undefined;
  let demotion: DemotionRecord | undefined;
  let t0 = Date.now();
  if (peer && peerLeader?.role === CLUSTER_ROLE.leader) {
    reporter.step(`planned switch: ${peer.name} -> ${spec.name}`);
    t0 = Date.now();
    demotion = await demoteCluster(
      peer.access,
      peer.name,
      spec.name,
      await peerStandby(platform, spec, peer),
      reporter,
    );
  } else if (peer && peerLeader?.role === CLUSTER_ROLE.standbyLeader) {
    demotion = await demotionOf(peer.access, peerLeader);
  }
  const mine = await leaderOf(urls(access));
  if (!mine) throw new ActionError(`${spec.name}: no standby leader answers`);
  if (!demotion) {
    const here = await position(access, mine);
    const rpo: Rpo | undefined =
      peer && !peerLeader
        ? unplannedRpo(peer.name, platform.sourcePosition?.(spec), {
            received: here.received,
            replayed: here.lsn,
            replayedAt: here.replayedAt,
          })
        : undefined;
    if (rpo?.known) reporter.step(rpoReport(spec.name, peer?.name as string, here, rpo));
    else {
      const why = peer
        ? peerLeader
          ? `${peer.name} is a replica cluster too and keeps no demotion record`
          : `${peer.name} answers no more (its site is down?) and ${rpo && !rpo.known ? rpo.why : 'nothing recorded where its WAL ended'}`
        : `the source ${spec.replica?.source.host ?? spec.replica?.source.cluster} is not managed here`;
      if (!spec.replica?.force)
        throw new InputError(
          `replica.primary: ${spec.name} cannot be promoted safely: ${why}, so how far behind it is (the RPO) is unknown; ` +
            `it has replayed up to ${here.lsn} (received ${here.received ?? 'nothing'}). Set replica.force: true to promote ` +
            'anyway (writes it has not received are lost), or bring the source back',
        );
      reporter.step(
        `unplanned promotion of ${spec.name} (replica.force): ${why}; RPO unknown, it had replayed up to ${here.lsn}`,
      );
    }
  } else {
    const replayed = await waitReplayed(access, spec.name, demotion.lsn);
    reporter.step(
      `${spec.name} has replayed up to ${replayed.lsn}, past ${peer?.name}'s last WAL position ${demotion.lsn} (${lsnDiff(replayed.lsn, demotion.lsn)} bytes after it): nothing is lost`,
    );
  }
  const { leader, at: now } = await promoteCluster(access, spec.name);
  const noPrimarySeconds = (Date.now() - t0) / 1000;
  reporter.step(
    `promoted ${spec.name} (${leader.name}, timeline ${now.timeline})${demotion ? `: ${noPrimarySeconds.toFixed(1)} s without a writable primary cluster` : ''}`,
  );
  if (peer && demotion) {
    const following = await waitFollowing(peer.access, now.timeline);
    reporter.step(
      following
        ? `${peer.name} follows ${spec.name} (${following.name} standby leader on timeline ${now.timeline}, its data directory kept)`
        : `${peer.name} does not follow ${spec.name} yet: see \`pgcluster status ${peer.name}\``,
    );
  }
  return { change: 'promoted', ...(demotion ? { noPrimarySeconds } : {}) };
}

/** When the source last archived a WAL segment (epoch ms); null when it does not answer. */
async function lastArchived(peer: Peer | undefined): Promise<number | null> {
  const leader = peer ? await leaderOf(urls(peer.access)).catch(() => undefined) : undefined;
  if (!peer || leader?.role !== CLUSTER_ROLE.leader) return null;
  try {
    return await withClient(
      await connectTo(await reachMember(peer.access, leader), peer.access.superuser()),
      async (c) => {
        const { rows } = await c.query<{ at: number | null }>(
          'select (extract(epoch from last_archived_time) * 1000)::float8 as at from pg_stat_archiver',
        );
        return rows[0]?.at ?? null;
      },
    );
  } catch {
    return null; // it answers no more: nothing known of its archive (PostgreSQL's replay tells)
  }
}

/**
 * replica.target: this delayed replica cluster promoted at a time, its source left as it is (never
 * demoted: the commits after the time are left out on purpose, and this cluster leaves the group).
 */
async function promoteToTime(
  platform: Platform,
  spec: ClusterSpec,
  access: ClusterAccess,
  peer: Peer | undefined,
  reporter: Reporter,
): Promise<ReplicaOutcome> {
  const target = spec.replica?.target as { time: string; exclusive: boolean };
  const mine = await leaderOf(urls(access));
  if (!mine) throw new ActionError(`${spec.name}: no standby leader answers`);
  const here = await position(access, mine);
  const source = spec.replica?.source.cluster ?? spec.replica?.source.host;
  const issue = targetIssue(spec, {
    now: Date.now(),
    replayedAt: here.replayedAt,
    checkpointAt: here.checkpointAt,
    archivedAt: await lastArchived(peer),
  });
  if (issue) throw new InputError(issue);
  const iso = (ms: number | null) => (ms === null ? 'none since it started' : new Date(ms).toISOString());
  reporter.step(
    `promotion of ${spec.name} to ${target.time}${target.exclusive ? ' (exclusive)' : ''}: its standby leader ${mine.name} ` +
      `has replayed up to ${here.lsn}, its last replayed commit ${iso(here.replayedAt)} (replica.applyDelay ` +
      `${spec.replica?.applyDelay}); it replays ${source}'s archive up to ${target.time} and becomes a primary there. ` +
      `${source}'s commits after ${target.time} are left out; ${source} itself is not touched`,
  );
  await promoteAtTarget(platform, spec, access, mine, leaderUrl(access, mine), reporter);
  // standby_cluster is gone already: Patroni resumed takes the lock for the running primary.
  await patchDynamicConfig(leaderUrl(access, mine), { pause: spec.maintenance });
  const { leader, at: now } = await waitLeaderRole(access, CLUSTER_ROLE.leader, `promoting ${spec.name}`);
  // PostgreSQL was started by hand while Patroni was paused: a restart by Patroni puts it back under
  // the member's supervisor (which stops it should Patroni die).
  // Patroni may first run its own promote action (it finds PostgreSQL a primary already): its restart
  // answers 503 "promote already in progress" until that is done.
  const t0 = Date.now();
  let restart = await postJson(`${leaderUrl(access, leader)}/restart`, {});
  while (restart.status === 503 && Date.now() - t0 < 60_000) {
    await sleep(1000);
    restart = await postJson(`${leaderUrl(access, leader)}/restart`, {});
  }
  if (restart.status !== 200)
    reporter.step(`${leader.name}: Patroni's restart answered ${restart.status} ${restart.text}`);
  else {
    await waitLeaderRole(access, CLUSTER_ROLE.leader, `restarting ${leader.name}`);
    reporter.step(
      `${leader.name} restarted by Patroni in ${((Date.now() - t0) / 1000).toFixed(1)} s (supervised again)`,
    );
  }
  const last = await position(access, leader).catch(() => undefined);
  reporter.step(
    `promoted ${spec.name} (${leader.name}, timeline ${now.timeline}) at ${target.time}: it is a primary cluster of its own` +
      (last ? `, its WAL at ${last.lsn}` : ''),
  );
  return { change: 'promoted' };
}

/** What an unplanned promotion with a known RPO says before it promotes. */
function rpoReport(name: string, source: string, here: Position, rpo: Extract<Rpo, { known: true }>): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  return (
    `unplanned promotion of ${name}: ${source} was last heard at ${iso(rpo.heardAt)} (its WAL at ${rpo.sourceLsn}, ` +
    `${rpo.notReceivedBytes} bytes of it not received here) and answers no more since ${iso(rpo.silentFrom)}; ` +
    `${name} has received up to ${here.received ?? here.lsn} and replayed up to ${here.lsn}, its last commit at ${iso(rpo.lostAfter)}. ` +
    `RPO: ${source}'s commits after ${iso(rpo.lostAfter)} are lost, at most ${rpo.windowSeconds.toFixed(3)} s of them ` +
    `(if ${source} still runs behind a partition, it keeps accepting writes: stop it)`
  );
}

async function demoteSelf(
  platform: Platform,
  spec: ClusterSpec,
  access: ClusterAccess,
  peer: Peer | undefined,
  reporter: Reporter,
): Promise<ReplicaOutcome> {
  const standby = await standbyFor(platform, spec);
  if (!standby) throw new ActionError(`${spec.name}: no standby configuration`);
  const target = spec.replica?.primary as string;
  reporter.step(`planned switch: ${spec.name} -> ${target}`);
  const t0 = Date.now();
  const demotion = await demoteCluster(access, spec.name, target, standby, reporter);
  const peerLeader = peer ? await leaderOf(urls(peer.access)) : undefined;
  if (!peer || peer.name !== target || peerLeader?.role !== CLUSTER_ROLE.standbyLeader)
    return { change: 'demoted' };
  await waitReplayed(peer.access, peer.name, demotion.lsn);
  const { leader, at: now } = await promoteCluster(peer.access, peer.name);
  const noPrimarySeconds = (Date.now() - t0) / 1000;
  reporter.step(
    `promoted ${peer.name} (${leader.name}, timeline ${now.timeline}) once it had replayed up to ${demotion.lsn}: ${noPrimarySeconds.toFixed(1)} s without a writable primary cluster`,
  );
  const following = await waitFollowing(access, now.timeline);
  reporter.step(
    following
      ? `${spec.name} follows ${peer.name} (${following.name} standby leader, its data directory kept)`
      : `${spec.name} does not follow ${peer.name} yet: see \`pgcluster status ${spec.name}\``,
  );
  return { change: 'demoted', noPrimarySeconds };
}

/**
 * Makes the cluster's role in its group match spec.replica: demote (this cluster is the primary and
 * the spec names another), promote (a replica cluster the spec names the primary), or nothing.
 */
export async function reconcileReplicaRole(
  platform: Platform,
  spec: ClusterSpec,
  access: ClusterAccess,
  recorded: ClusterSpec | undefined,
  reporter: Reporter,
): Promise<ReplicaOutcome> {
  if (!spec.replica && !recorded?.replica) return {};
  const leader = await leaderOf(urls(access));
  if (!leader) throw new ActionError(`${spec.name}: no leader answers`);
  const standbyNow = leader.role === CLUSTER_ROLE.standbyLeader;
  const wantStandby = isReplicaCluster(spec);
  if (standbyNow === wantStandby) return {};
  const peer = await peerOf(platform, spec);
  const stale = staleIssue(spec, recorded, peer);
  if (stale) throw new InputError(stale);
  return wantStandby
    ? demoteSelf(platform, spec, access, peer, reporter)
    : promoteSelf(platform, spec, access, peer, reporter);
}
