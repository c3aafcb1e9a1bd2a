/**
 * Runs inside the dynamic-provider host, before the StatefulSet is changed: when `instances`
 * shrinks and the primary is on an ordinal about to be removed, it switches over to a member that
 * stays (in synchronous mode, a synchronous standby), or fails the update naming what to do, so the
 * StatefulSet never deletes the primary's pod.
 */
import { parseSpec } from '../spec/parse';
import type { ClusterSpec } from '../spec/cluster';
import { kubernetesAccess } from '../platform/kubernetes/access';
import { getCluster } from '../patroni/api';
import { switchover } from '../actions/switchover';
import { silentReporter } from '../report/reporter';
import type { Platform } from '../platform/types';
import { planScaleDown, type ScaleDownStep } from '../plan/scale-down';
import type { ReadyInputs } from './readiness-impl';

/** Kubernetes needs no pooler repointing: its Service selects the pod labelled primary. */
const KUBERNETES_POOLER: Pick<Platform, 'syncPooler'> = { syncPooler: async () => undefined };

export async function beforeScaleDown(olds: ReadyInputs, news: ReadyInputs): Promise<ScaleDownStep> {
  const before: ClusterSpec = parseSpec(olds.spec);
  const after: ClusterSpec = parseSpec(news.spec);
  if (after.instances >= before.instances) return { kind: 'none', why: 'no member is removed' };
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
