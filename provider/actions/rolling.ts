/**
 * Rolling restart, the order CloudNativePG uses: replicas one at a time, each streaming again
 * before the next goes (never two members down at once); then the primary, by a planned
 * switchover through the pooler (primaryUpdateStrategy unsupervised), after which the old primary
 * is restarted if it still needs it; or a stop before the primary with how to go on (supervised).
 * `pendingOnly`: only the members Patroni flags pending_restart (a parameter change); otherwise
 * every serving member (`pgcluster restart`).
 */
import type { ClusterSpec } from '../spec/cluster';
import type { ClusterAccess, Platform } from '../platform/types';
import { ActionError } from '../errors';
import { getCluster, postJson, type PatroniMember } from '../patroni/api';
import { isRunningLeader } from '../patroni/roles';
import { servingMembers } from '../plan/members';
import type { Reporter } from '../report/reporter';
import { waitHealthy } from './health';
import { pickCandidate, switchover } from './switchover';

export interface RollingResult {
  /** Members restarted, in order (the switchover's demotion counts as the old primary's restart). */
  restarted: string[];
  /** The new primary, when the roll switched over. */
  switchedTo?: string;
  /** supervised: the primary still waits for its restart. */
  primaryPending?: string;
}

export interface RollingOptions {
  pendingOnly: boolean;
  /** Members the switchover must not promote (about to be removed or fenced). */
  avoid?: readonly string[];
}

const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The ordered plan: replicas by name, then the leader. Pure. */
export function rollingOrder(
  members: readonly Pick<PatroniMember, 'name' | 'role' | 'state' | 'pending_restart'>[],
  leader: string,
  pendingOnly: boolean,
): { replicas: string[]; primary: boolean } {
  const wanted = members.filter((m) => !pendingOnly || m.pending_restart);
  return {
    replicas: wanted
      .filter((m) => m.name !== leader)
      .map((m) => m.name)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true })),
    primary: wanted.some((m) => m.name === leader),
  };
}

async function restartOne(
  access: ClusterAccess,
  spec: ClusterSpec,
  member: string,
  serving: string[],
  pendingOnly: boolean,
  reporter: Reporter,
): Promise<void> {
  const url = access.apiUrls()[member];
  if (!url) throw new ActionError(`${member} is not a member of ${spec.name}`);
  const started = Date.now();
  reporter.step(`restarting ${member}`);
  const res = await postJson(`${url}/restart`, pendingOnly ? { restart_pending: true } : {}, 180_000);
  if (res.status !== 200)
    throw new ActionError(`restart of ${member} failed: HTTP ${res.status} ${res.text}`);
  await waitHealthy(access, spec, serving, 180_000, reporter);
  reporter.step(`restarted ${member} in ${s1(Date.now() - started)}; every member streams again`);
}

export async function rollingRestart(
  platform: Pick<Platform, 'syncPooler'> | undefined,
  access: ClusterAccess,
  spec: ClusterSpec,
  options: RollingOptions,
  reporter: Reporter,
): Promise<RollingResult> {
  const serving = servingMembers(Object.keys(access.apiUrls()), spec.fenced);
  const cluster = await getCluster(Object.values(access.apiUrls()));
  const leader = cluster?.members.find(isRunningLeader);
  if (!cluster || !leader) throw new ActionError(`cluster ${spec.name} has no running primary`);
  const plan = rollingOrder(
    cluster.members.filter((m) => serving.includes(m.name)),
    leader.name,
    options.pendingOnly,
  );
  const restarted: string[] = [];
  for (const replica of plan.replicas) {
    await restartOne(access, spec, replica, serving, options.pendingOnly, reporter);
    restarted.push(replica);
  }
  if (!plan.primary) return { restarted };
  if (serving.length === 1) {
    // A single member has nobody to switch over to: it restarts in place.
    await restartOne(access, spec, leader.name, serving, options.pendingOnly, reporter);
    return { restarted: [...restarted, leader.name] };
  }
  if (spec.primaryUpdateStrategy === 'supervised') {
    reporter.step(
      `primaryUpdateStrategy supervised: the replicas are restarted; the primary ${leader.name} is not. ` +
        `To go on: \`pgcluster switchover ${spec.name}\` (clients wait, then ${leader.name} restarts as a replica), ` +
        `or \`pgcluster restart ${spec.name} ${leader.name}\` (in place: writes stop while it restarts)`,
    );
    return { restarted, primaryPending: leader.name };
  }
  const candidate = pickCandidate(cluster, leader.name, options.avoid ?? [], spec.synchronous !== undefined);
  if (!candidate)
    throw new ActionError(
      `rolling restart: no ${spec.synchronous ? 'synchronous ' : ''}replica streams to switch over to from ${leader.name}` +
        `${options.avoid?.length ? ` (not ${options.avoid.join(', ')}, which are being removed)` : ''}; the replicas are restarted, the primary is not`,
    );
  const moved = await switchover(platform, access, spec, candidate, reporter);
  restarted.push(leader.name);
  // The demoted primary restarted as a replica; a parameter it still flags needs one more restart.
  const after = await getCluster(Object.values(access.apiUrls()));
  const old = after?.members.find((m) => m.name === leader.name);
  if (options.pendingOnly && old?.pending_restart)
    await restartOne(access, spec, leader.name, serving, true, reporter);
  return { restarted, switchedTo: moved.to };
}

/** `pgcluster restart NAME MEMBER`: that member only, in place (a primary stays primary). */
export async function restartMember(
  access: ClusterAccess,
  spec: ClusterSpec,
  member: string,
  reporter: Reporter,
): Promise<void> {
  const serving = servingMembers(Object.keys(access.apiUrls()), spec.fenced);
  if (!serving.includes(member))
    throw new ActionError(
      `${member}: not a serving member of ${spec.name}; serving members are ${serving.join(', ')}`,
    );
  await restartOne(access, spec, member, serving, false, reporter);
}

/** `pgcluster reload NAME`: every member rereads its configuration, replicas first. */
export async function reloadAll(
  access: ClusterAccess,
  spec: ClusterSpec,
  reporter: Reporter,
): Promise<string[]> {
  const urls = access.apiUrls();
  const serving = servingMembers(Object.keys(urls), spec.fenced);
  const cluster = await getCluster(Object.values(urls));
  const leader = cluster?.members.find(isRunningLeader)?.name;
  const order = [...serving].sort((a, b) => (a === leader ? 1 : b === leader ? -1 : a.localeCompare(b)));
  for (const member of order) {
    const res = await postJson(`${urls[member]}/reload`, {});
    if (res.status !== 200 && res.status !== 202)
      throw new ActionError(`reload of ${member} failed: HTTP ${res.status} ${res.text}`);
    reporter.step(`reloaded ${member}`);
  }
  return order;
}
