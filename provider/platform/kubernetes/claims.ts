/**
 * The members' volume claims through the API server: reading them (and their StorageClasses) for
 * the storage plan, patching their requested size to grow them, and removing the member pods a
 * StatefulSet deleted with orphan propagation leaves behind when the cluster itself is destroyed.
 */
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  StorageV1Api,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { ClaimView, StorageClassView } from '../../plan/storage-growth';
import { memberSelector } from '../../render/kubernetes/labels';

const notFound = (e: unknown) => (e as { code?: number }).code === 404;

/** `<volume>-<statefulSet>-<ordinal>`: the claims the StatefulSet's templates made (kept ones too). */
export function claimOf(statefulSet: string, name: string): ClaimView['volume'] | undefined {
  for (const volume of ['data', 'wal'] as const) {
    const rest = name.startsWith(`${volume}-${statefulSet}-`)
      ? name.slice(volume.length + statefulSet.length + 2)
      : '';
    if (/^[0-9]+$/.test(rest)) return volume;
  }
  return undefined;
}

export async function readMemberClaims(
  config: KubeConfig,
  namespace: string,
  statefulSet: string,
): Promise<ClaimView[]> {
  const list = await config
    .makeApiClient(CoreV1Api)
    .listNamespacedPersistentVolumeClaim({ namespace })
    .catch((e) => {
      if (notFound(e)) return { items: [] };
      throw e;
    });
  return list.items.flatMap((c) => {
    const name = c.metadata?.name ?? '';
    const volume = claimOf(statefulSet, name);
    const requested = c.spec?.resources?.requests?.storage;
    if (!volume || requested === undefined) return [];
    return [
      {
        name,
        volume,
        requested: String(requested),
        ...(c.spec?.storageClassName ? { storageClass: c.spec.storageClassName } : {}),
        ...(c.status?.phase ? { phase: c.status.phase } : {}),
      },
    ];
  });
}

export async function readStorageClasses(
  config: KubeConfig,
  names: readonly string[],
): Promise<StorageClassView[]> {
  const storage = config.makeApiClient(StorageV1Api);
  const found = await Promise.all(
    [...new Set(names)].map((name) =>
      storage.readStorageClass({ name }).then(
        (c) => ({ name, allowVolumeExpansion: c.allowVolumeExpansion === true }),
        (e) => {
          if (notFound(e)) return undefined;
          throw e;
        },
      ),
    ),
  );
  return found.filter((c): c is StorageClassView => c !== undefined);
}

/** Sets each claim's requested storage; the resizer of its StorageClass does the rest. */
export async function growClaims(
  config: KubeConfig,
  namespace: string,
  patches: ReadonlyArray<{ claim: string; to: string }>,
): Promise<void> {
  const core = config.makeApiClient(CoreV1Api);
  for (const p of patches)
    await core.patchNamespacedPersistentVolumeClaim(
      { name: p.claim, namespace, body: { spec: { resources: { requests: { storage: p.to } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
}

/** The live StatefulSet's claim template sizes (template name to storage), or undefined when none. */
export async function claimTemplateSizes(
  config: KubeConfig,
  namespace: string,
  name: string,
): Promise<Record<string, string> | undefined> {
  const sts = await config
    .makeApiClient(AppsV1Api)
    .readNamespacedStatefulSet({ name, namespace })
    .catch((e) => {
      if (notFound(e)) return undefined;
      throw e;
    });
  if (!sts) return undefined;
  return Object.fromEntries(
    (sts.spec?.volumeClaimTemplates ?? []).map((t) => [
      t.metadata?.name ?? '',
      String(t.spec?.resources?.requests?.storage ?? ''),
    ]),
  );
}

/**
 * Deletes the StatefulSet orphaning its pods (they run on, their owner reference removed) and waits
 * until it is gone, so a new one of the same name can be created and adopt them.
 */
export async function deleteStatefulSetKeepingPods(
  config: KubeConfig,
  namespace: string,
  name: string,
  timeoutMs = 120_000,
): Promise<void> {
  const apps = config.makeApiClient(AppsV1Api);
  await apps.deleteNamespacedStatefulSet({ name, namespace, propagationPolicy: 'Orphan' }).catch((e) => {
    if (!notFound(e)) throw e;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const gone = await apps.readNamespacedStatefulSet({ name, namespace }).then(
      () => false,
      (e) => {
        if (notFound(e)) return true;
        throw e;
      },
    );
    if (gone) return;
    if (Date.now() > deadline)
      throw new Error(
        `StatefulSet ${name} in ${namespace} was deleted (its pods orphaned, still running) but is still there after ${timeoutMs / 1000} s: run up again once it is gone`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Deletes the cluster's member pods that no StatefulSet owns (left by an orphaning delete). */
export async function deleteOrphanedMembers(
  config: KubeConfig,
  namespace: string,
  cluster: string,
): Promise<string[]> {
  const core = config.makeApiClient(CoreV1Api);
  const labelSelector = Object.entries(memberSelector(cluster))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const pods = await core.listNamespacedPod({ namespace, labelSelector }).catch((e) => {
    if (notFound(e)) return { items: [] };
    throw e;
  });
  const orphans = pods.items.filter(
    (p) => !(p.metadata?.ownerReferences ?? []).some((o) => o.kind === 'StatefulSet' && o.controller),
  );
  for (const p of orphans)
    await core.deleteNamespacedPod({ name: p.metadata!.name!, namespace }).catch((e) => {
      if (!notFound(e)) throw e;
    });
  return orphans.map((p) => p.metadata!.name!);
}
