/**
 * Applies the spec's Patroni dynamic configuration (timing, synchronous mode, parameters, pg_hba)
 * with one PATCH /config, then restarts members only when PostgreSQL needs it for a changed
 * parameter (pg_settings.context = 'postmaster'): replicas first, the primary last.
 */
import type { ClusterSpec } from '../spec/cluster';
import type { ClusterAccess } from '../platform/types';
import { renderDynamicConfig } from '../render/patroni';
import { changedParameters, dynamicConfigPatch } from '../plan/dynamic-config';
import { ActionError } from '../errors';
import { connectTo, withClient } from '../sql/connect';
import { getCluster, getDynamicConfig, patchDynamicConfig, postJson } from '../patroni/api';
import { isLeaderRole } from '../patroni/roles';
import { reachMember } from '../platform/reach';
import type { Reporter } from '../report/reporter';
import { waitHealthy, type Health } from './health';
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
): Promise<ConfigResult> {
  const urls = access.apiUrls();
  const leader = health.leader;
  if (!leader) throw new ActionError('no leader to apply the configuration to');
  const leaderUrl = urls[leader.name] as string;
  const desired = renderDynamicConfig(spec, access.allowedNetworks) as unknown as Record<string, unknown>;
  const patch = dynamicConfigPatch(await getDynamicConfig(leaderUrl), desired);
  if (!patch) return { changedParameters: [], restarted: [] };
  await patchDynamicConfig(leaderUrl, patch);
  const changed = changedParameters(patch);
  const needRestart = await restartRequired(access, health, changed);
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
  const pending = await waitPendingRestart(access, members, 6 * loopMs + 10_000);
  const cluster = await getCluster(Object.values(urls));
  const leaderName = cluster?.members.find((m) => isLeaderRole(m.role))?.name ?? leader.name;
  const order = [...pending].sort((a, b) =>
    a === leaderName ? 1 : b === leaderName ? -1 : a.localeCompare(b),
  );
  const restarted: string[] = [];
  for (const name of order) {
    const url = urls[name];
    if (!url) continue;
    const res = await postJson(`${url}/restart`, { restart_pending: true });
    if (res.status !== 200)
      throw new ActionError(`restart of ${name} failed: HTTP ${res.status} ${res.text}`);
    await waitHealthy(access, spec, members, 120_000, reporter);
    restarted.push(name);
    reporter.step(`restarted ${name}`);
  }
  return { changedParameters: changed, restarted };
}
