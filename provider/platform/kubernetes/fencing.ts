/**
 * Fencing a member of a cluster on Kubernetes from the CLI (`pgcluster fence|unfence NAME MEMBER
 * --namespace N`): the members read the ConfigMap <name>-fencing (render/kubernetes/fencing), so
 * fencing is a patch of its list, after a switchover when the member is the primary, then a wait
 * for the effect (the member's port 8008 says "fenced"; unfenced: it streams again).
 */
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { InputError } from '../../errors';
import { kubernetesNames } from '../../naming';
import { FENCED_KEY } from '../../render/kubernetes/fencing';

export async function readFenced(config: KubeConfig, namespace: string, cluster: string): Promise<string[]> {
  const core = config.makeApiClient(CoreV1Api);
  const name = kubernetesNames(cluster).fencing;
  const cm = await core.readNamespacedConfigMap({ name, namespace }).catch((e) => {
    if ((e as { code?: number }).code === 404)
      throw new InputError(
        `cluster ${cluster} has no ConfigMap ${name} in namespace ${namespace}: it was created by a pgcluster without fencing on Kubernetes (pulumi up with this version first)`,
      );
    throw e;
  });
  const list = JSON.parse(cm.data?.[FENCED_KEY] ?? '[]') as unknown;
  return Array.isArray(list) ? list.map(String) : [];
}

export async function writeFenced(
  config: KubeConfig,
  namespace: string,
  cluster: string,
  fenced: readonly string[],
): Promise<void> {
  const core = config.makeApiClient(CoreV1Api);
  await core.patchNamespacedConfigMap(
    {
      name: kubernetesNames(cluster).fencing,
      namespace,
      body: { data: { [FENCED_KEY]: JSON.stringify([...fenced].sort()) } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}
