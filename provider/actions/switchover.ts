/**
 * Planned switchover through Patroni: the candidate is promoted, the old primary rejoins as a
 * replica, and the pooler is pointed at the new primary.
 */
import type { ClusterSpec } from '../spec/cluster';
import type { ClusterAccess, Platform } from '../platform/types';
import { ActionError, InputError } from '../errors';
import { getCluster, postJson, type PatroniCluster } from '../patroni/api';
import { isRunningLeader, isServing, isSynchronousRole } from '../patroni/roles';
import { sleep } from '../util/sleep';
import { waitHealthy } from './health';
import type { Reporter } from '../report/reporter';

export interface SwitchoverResult {
  from: string;
  to: string;
  seconds: number;
  changed: boolean;
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

export async function switchover(
  platform: Platform,
  access: ClusterAccess,
  spec: ClusterSpec,
  candidate: string | undefined,
  reporter: Reporter,
): Promise<SwitchoverResult> {
  const urls = access.apiUrls();
  const members = Object.keys(urls);
  const cluster = await patroniView(Object.values(urls), spec.synchronous !== undefined);
  const leader = cluster?.members.find(isRunningLeader);
  if (!cluster || !leader)
    throw new ActionError(`cluster ${spec.name} has no running primary to switch over from`);
  if (candidate !== undefined) {
    if (!members.includes(candidate))
      throw new InputError(
        `--to ${candidate}: not a member of ${spec.name}; members are ${members.join(', ')}`,
      );
    if (candidate === leader.name) {
      reporter.done(`${candidate} is already the primary`);
      return { from: leader.name, to: candidate, seconds: 0, changed: false };
    }
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
  }
  const started = Date.now();
  reporter.step(`switching over from ${leader.name}${candidate ? ` to ${candidate}` : ''}`);
  const res = await postJson(`${urls[leader.name]}/switchover`, {
    leader: leader.name,
    ...(candidate ? { candidate } : {}),
  });
  if (res.status !== 200)
    throw new ActionError(`switchover refused by Patroni: HTTP ${res.status} ${res.text}`);
  const health = await waitHealthy(access, spec, members, 120_000, reporter);
  const to = health.leader?.name as string;
  if (candidate && to !== candidate)
    throw new ActionError(`switchover ended with ${to} as primary, not ${candidate}`);
  await platform.syncPooler(spec, to, reporter);
  const seconds = (Date.now() - started) / 1000;
  reporter.done(`promoted ${to}; ${leader.name} rejoined as replica in ${seconds.toFixed(1)} s`);
  return { from: leader.name, to, seconds, changed: true };
}
