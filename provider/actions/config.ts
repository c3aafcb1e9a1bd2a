/**
 * Applies the spec's Patroni dynamic configuration (timing, synchronous mode, parameters, pg_hba)
 * with one PATCH /config, then restarts members only when PostgreSQL needs it for a changed
 * parameter (pg_settings.context = 'postmaster'), as a rolling restart (actions/rolling.ts): replicas
 * one at a time, then a switchover, then the old primary if it still needs it.
 */
import type { ClusterSpec } from '../spec/cluster';
import type { ClusterAccess, Platform } from '../platform/types';
import { rollingRestart } from './rolling';
import { renderDynamicConfig } from '../render/patroni';
import type { StandbyContext } from '../render/context';
import { changedParameters, dynamicConfigPatch } from '../plan/dynamic-config';
import { ActionError } from '../errors';
import { connectTo, withClient } from '../sql/connect';
import { getCluster, getDynamicConfig, patchDynamicConfig } from '../patroni/api';
import { reachMember } from '../platform/reach';
import type { Reporter } from '../report/reporter';
import type { Health } from './health';
import { sleep } from '../util/sleep';

export interface ConfigResult {
  changedParameters: string[];
  restarted: string[];
}

async function restartRequired(access: ClusterAccess, health: Health, names: string[]): Promise<string[]> {
  if (names.length === 0 || !health.leader) return [];
  const leader = health.leader;
  return withClient(await connectTo(await reachMember(access, leader), access.superuser()), async (c) =>
    (
      await c.query<{ name: string }>(
        "select name from pg_settings where context = 'postmaster' and name = any($1::text[]) order by name",
        [names],
      )
    ).rows.map((r) => r.name),
  );
}

async function waitPendingRestart(
  access: ClusterAccess,
  members: readonly string[],
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let pending: string[] = [];
  while (Date.now() < deadline) {
    const cluster = await getCluster(Object.values(access.apiUrls()));
    pending = (cluster?.members ?? []).filter((m) => m.pending_restart).map((m) => m.name);
    if (members.every((m) => pending.includes(m))) return pending;
    await sleep(250);
  }
  return pending;
}

export async function applyDynamicConfig(
  access: ClusterAccess,
  spec: ClusterSpec,
  health: Health,
  members: readonly string[],
  reporter: Reporter,
  platform?: Pick<Platform, 'syncPooler'>,
  /** Members a rolling restart's switchover must not promote (scale-down removes them next). */
  avoid: readonly string[] = [],
  /** spec.replica: the standby_cluster a replica cluster follows (undefined: a primary cluster). */
  standby?: StandbyContext,
): Promise<ConfigResult> {
  const urls = access.apiUrls();
  const leader = health.leader;
  if (!leader) throw new ActionError('no leader to apply the configuration to');
  const leaderUrl = urls[leader.name] as string;
  const desired = renderDynamicConfig(spec, access.allowedNetworks, standby) as unknown as Record<
    string,
    unknown
  >;
  const patch = dynamicConfigPatch(await getDynamicConfig(leaderUrl), desired);
  if (!patch) return { changedParameters: [], restarted: [] };
  await patchDynamicConfig(leaderUrl, patch);
  const changed = changedParameters(patch);
  const needRestart = await restartRequired(access, health, changed);
  if ('pause' in patch)
    reporter.step(
      spec.maintenance
        ? 'maintenance on: Patroni paused, no automatic failover; PostgreSQL keeps serving'
        : 'maintenance off: Patroni resumed, automatic failover again',
    );
  reporter.step(
    `updated the dynamic configuration${changed.length ? ` (parameters: ${changed.join(', ')})` : ''}` +
      (needRestart.length
        ? `; ${needRestart.join(', ')} need${needRestart.length === 1 ? 's' : ''} a restart`
        : ''),
  );
  // Patroni applies DCS changes on each member's next loop; give every member two of them.
  const loopMs = spec.ha.loopWait * 1000;
  if (needRestart.length === 0) {
    if (changed.length > 0) await sleep(2 * loopMs + 500);
    return { changedParameters: changed, restarted: [] };
  }
  await waitPendingRestart(access, members, 6 * loopMs + 10_000);
  // Replicas one at a time, then the primary by switchover (or a stop there, when supervised).
  const { restarted } = await rollingRestart(platform, access, spec, { pendingOnly: true, avoid }, reporter);
  return { changedParameters: changed, restarted };
}

/**
 * maintenance off, before `up` waits for health: a paused Patroni starts no stopped PostgreSQL and
 * elects no leader, so members that went down while paused would never become healthy. Any member
 * whose REST API answers takes the PATCH (it writes the DCS). Returns whether it resumed Patroni.
 */
export async function leaveMaintenance(
  access: ClusterAccess,
  spec: ClusterSpec,
  reporter: Reporter,
  timeoutMs = 30_000,
): Promise<boolean> {
  if (spec.maintenance) return false;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const url of Object.values(access.apiUrls())) {
      const config = await getDynamicConfig(url).catch(() => undefined);
      if (!config) continue;
      if (config.pause !== true) return false;
      await patchDynamicConfig(url, { pause: false });
      reporter.step('maintenance off: Patroni resumed, automatic failover again');
      return true;
    }
    await sleep(250);
  }
  return false;
}
