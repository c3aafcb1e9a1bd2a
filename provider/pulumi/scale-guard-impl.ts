/**
 * Runs inside the dynamic-provider host, before the StatefulSet is changed: when `instances`
 * shrinks and the primary is on an ordinal about to be removed, it switches over to a member that
 * stays (in synchronous mode, a synchronous standby), or fails the update naming what to do, so the
 * StatefulSet never deletes the primary's pod. When `fenced` comes to name the primary, it switches
 * over to an unfenced streaming member first (a synchronous standby in synchronous mode), as `up`
 * does on the local platform, before the fencing ConfigMap (which the members read) changes.
 */
import { parseSpec } from '../spec/parse';
import type { ClusterSpec } from '../spec/cluster';
import { kubernetesAccess } from '../platform/kubernetes/access';
import { getCluster } from '../patroni/api';
import { pickCandidate, switchover } from '../actions/switchover';
import { isRunningLeader } from '../patroni/roles';
import { silentReporter } from '../report/reporter';
import type { Platform } from '../platform/types';
import { planScaleDown, type ScaleDownStep } from '../plan/scale-down';
import type { ReadyInputs } from './readiness-impl';

/** Kubernetes needs no pooler repointing: its Service selects the pod labelled primary. */
const KUBERNETES_POOLER: Pick<Platform, 'syncPooler'> = { syncPooler: async () => undefined };

export async function beforeScaleDown(olds: ReadyInputs, news: ReadyInputs): Promise<ScaleDownStep> {
  const before: ClusterSpec = parseSpec(olds.spec);
  const after: ClusterSpec = parseSpec(news.spec);
  const newlyFenced = after.fenced.filter((m) => !before.fenced.includes(m));
  if (after.instances >= before.instances) {
    if (newlyFenced.length === 0 || after.hibernate) return { kind: 'none', why: 'no member is removed' };
    return switchOffFencedPrimary(before, after, news);
  }
  // Reach every member that runs now (as many as before), with the current spec and credentials.
  const running = { ...after, instances: before.instances };
  const access = await kubernetesAccess(running, news, news.kubeconfig);
  try {
    const cluster = await getCluster(Object.values(access.apiUrls()));
    const step = planScaleDown(
      after.name,
      cluster?.members ?? [],
      after.instances,
      after.synchronous !== undefined,
    );
    if (step.kind === 'refuse') throw new Error(step.reason);
    if (step.kind === 'switchover')
      await switchover(KUBERNETES_POOLER as Platform, access, running, step.to, silentReporter);
    return step;
  } finally {
    await access.close();
  }
}

/** The primary about to be fenced: a switchover to an unfenced member first (through the pooler). */
async function switchOffFencedPrimary(
  before: ClusterSpec,
  after: ClusterSpec,
  news: ReadyInputs,
): Promise<ScaleDownStep> {
  const access = await kubernetesAccess(after, news, news.kubeconfig);
  try {
    const cluster = await getCluster(Object.values(access.apiUrls()));
    const leader = cluster?.members.find(isRunningLeader);
    if (!cluster || !leader || !after.fenced.includes(leader.name))
      return { kind: 'none', why: 'the primary is not fenced' };
    const to = pickCandidate(cluster, leader.name, after.fenced, after.synchronous !== undefined);
    if (!to)
      throw new Error(
        `fenced: ${leader.name} is the primary and no unfenced ${after.synchronous ? 'synchronous ' : ''}replica streams to take over; nothing was changed`,
      );
    // The members fenced before are down; the one fenced now is the primary switched away from.
    const fenced = [...new Set([...before.fenced, ...after.fenced])].filter((m) => m !== leader.name);
    await switchover(KUBERNETES_POOLER as Platform, access, { ...after, fenced }, to, silentReporter);
    return { kind: 'switchover', from: leader.name, to };
  } finally {
    await access.close();
  }
}
