/**
 * Runs inside the dynamic-provider host: reads the members' claims and their StorageClasses from the
 * API server, plans the change of `storage` (plan/storage-growth), and grows the claims. At check
 * time (preview) the same plan refuses a shrink, a class without expansion, or a StatefulSet made
 * before online growth (deleting it would take its pods along). On delete (the cluster destroyed),
 * the member pods its orphaning StatefulSet delete left are removed.
 */
import { kubeConfigOf } from '../platform/kubernetes/port-forward';
import {
  deleteOrphanedMembers,
  growClaims,
  readMemberClaims,
  readStorageClasses,
  statefulSetAnnotations,
} from '../platform/kubernetes/claims';
import { planStorage, type StoragePlan } from '../plan/storage-growth';
import { ORPHAN_ANNOTATION } from '../render/kubernetes/statefulset';

export interface MemberStorageInputs {
  namespace: string;
  cluster: string;
  statefulSet: string;
  size: string;
  walSize?: string;
  kubeconfig?: string;
}

export async function planMemberStorage(
  olds: MemberStorageInputs | undefined,
  news: MemberStorageInputs,
): Promise<StoragePlan> {
  const config = kubeConfigOf(news.kubeconfig);
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
  if (plan.kind !== 'grow') return plan;
  // The StatefulSet is recreated for its new claim templates: only one deleted with orphan
  // propagation keeps its pods running; its delete policy is the one it was last applied with.
  const annotations = await statefulSetAnnotations(config, news.namespace, news.statefulSet);
  if (annotations && annotations[ORPHAN_ANNOTATION] !== 'orphan')
    return {
      kind: 'refuse',
      reason:
        `storage.size: growing the claims recreates StatefulSet ${news.statefulSet} for its claim templates, ` +
        `and it was applied by an earlier pgcluster without ${ORPHAN_ANNOTATION}: orphan, so deleting it ` +
        `would delete its pods: run up once with the sizes unchanged (${plan.patches[0]!.from}), then grow`,
    };
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
  await growClaims(kubeConfigOf(news.kubeconfig), news.namespace, plan.patches);
  return plan.patches.map((p) => `${p.claim} ${p.from} → ${p.to}`);
}

export async function removeOrphanedMembers(inputs: MemberStorageInputs): Promise<string[]> {
  return deleteOrphanedMembers(kubeConfigOf(inputs.kubeconfig), inputs.namespace, inputs.cluster);
}
