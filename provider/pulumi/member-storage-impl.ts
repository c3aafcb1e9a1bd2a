/**
 * Runs inside the dynamic-provider host: reads the members' claims and their StorageClasses from the
 * API server, plans the change of `storage` (plan/storage-growth), grows the claims, and deletes the
 * StatefulSet orphaning its pods (waiting until it is gone) so its replacement with the new claim
 * templates adopts them. At check time (preview) the same plan refuses a shrink or a class without
 * expansion. On delete (the cluster destroyed), the member pods its orphaning delete left are removed.
 */
import { kubeConfigOf } from '../platform/kubernetes/port-forward';
import {
  deleteOrphanedMembers,
  growClaims,
  readMemberClaims,
  readStorageClasses,
  claimTemplateSizes,
  deleteStatefulSetKeepingPods,
} from '../platform/kubernetes/claims';
import { planStorage, type StoragePlan } from '../plan/storage-growth';

export interface MemberStorageInputs {
  namespace: string;
  cluster: string;
  statefulSet: string;
  size: string;
  walSize?: string;
  /** platform.kubernetes.kubeconfig (text or path) and context; absent: the default kubeconfig. */
  kubeconfig?: string;
  context?: string;
}

export async function planMemberStorage(
  olds: MemberStorageInputs | undefined,
  news: MemberStorageInputs,
): Promise<StoragePlan> {
  const config = kubeConfigOf(news.kubeconfig, news.context);
  const claims = await readMemberClaims(config, news.namespace, news.statefulSet);
  const classes = await readStorageClasses(
    config,
    claims.flatMap((c) => (c.storageClass ? [c.storageClass] : [])),
  );
  const plan = planStorage({
    size: news.size,
    ...(news.walSize !== undefined ? { walSize: news.walSize } : {}),
    ...(olds?.size !== undefined
      ? { previous: { size: olds.size, ...(olds.walSize !== undefined ? { walSize: olds.walSize } : {}) } }
      : {}),
    claims,
    classes,
  });
  return plan;
}

/** Grows the claims the plan names; returns one line per claim grown. */
export async function growMemberStorage(
  olds: MemberStorageInputs | undefined,
  news: MemberStorageInputs,
): Promise<string[]> {
  const plan = await planMemberStorage(olds, news);
  if (plan.kind === 'refuse') throw new Error(plan.reason);
  if (plan.kind === 'same') return [];
  const config = kubeConfigOf(news.kubeconfig, news.context);
  await growClaims(config, news.namespace, plan.patches);
  return plan.patches.map((p) => `${p.claim} ${p.from} → ${p.to}`);
}

/**
 * Before the StatefulSet is replaced for new claim templates: deletes it orphaning its pods and
 * waits until it is gone. @pulumi/kubernetes would delete it with the policy it was last applied
 * with (none before this version), and without waiting (pulumi.com/skipAwait), so its replacement
 * could meet the old object still being deleted. Returns whether it deleted one.
 */
export async function releaseStatefulSet(news: MemberStorageInputs): Promise<boolean> {
  const config = kubeConfigOf(news.kubeconfig, news.context);
  const live = await claimTemplateSizes(config, news.namespace, news.statefulSet);
  const wanted: Record<string, string> = { data: news.size, ...(news.walSize ? { wal: news.walSize } : {}) };
  if (!live || JSON.stringify(live) === JSON.stringify(wanted)) return false;
  await deleteStatefulSetKeepingPods(config, news.namespace, news.statefulSet);
  return true;
}

export async function removeOrphanedMembers(inputs: MemberStorageInputs): Promise<string[]> {
  return deleteOrphanedMembers(
    kubeConfigOf(inputs.kubeconfig, inputs.context),
    inputs.namespace,
    inputs.cluster,
  );
}
