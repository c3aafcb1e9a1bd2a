/**
 * Fencing on Kubernetes (spec.fenced, `pgcluster fence`): the ConfigMap <cluster>-fencing lists the
 * fenced members (key `fenced`, a JSON list), and the first process of every member's postgres
 * container (provider/platform/local/scripts/k8s-member.py) stops Patroni, and so PostgreSQL, while
 * its member is listed, keeping the pod and its claim, and starts it again once it is not.
 */
import type { KubernetesNames } from '../../naming';
import { commonLabels } from './labels';
import { CONFIG_MOUNT } from './patroni-config';

export const MEMBER_SCRIPT = 'k8s-member.py';
export const FENCED_KEY = 'fenced';

/** The container's command around Patroni's: `python3 k8s-member.py CLUSTER -- patroni ...`. */
export function memberCommand(cluster: string, patroni: readonly string[]): string[] {
  return ['python3', `${CONFIG_MOUNT}/${MEMBER_SCRIPT}`, cluster, '--', ...patroni];
}

export function buildFencingConfigMap(
  cluster: string,
  namespace: string,
  names: KubernetesNames,
  fenced: readonly string[],
) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: names.fencing,
      namespace,
      labels: commonLabels(cluster),
      // `pgcluster fence` patches the list too: the next pulumi up that changes `fenced` takes the field back.
      annotations: { 'pulumi.com/patchForce': 'true' },
    },
    data: { [FENCED_KEY]: JSON.stringify([...fenced].sort()) },
  };
}

/**
 * Patroni's REST URL and TLS context, which k8s-member.py and the pre_promote fencing script
 * (k8s-fence-old-primary.py) import from beside them: the same ConfigMap, mounted whole.
 */
export const PATRONI_REST_MODULE = 'k8s_patroni_rest.py';

/** The ConfigMap entries of the script and the module it shares with the fencing script (their texts given). */
export function memberFiles(script: string, restModule: string): Record<string, string> {
  return { [MEMBER_SCRIPT]: script, [PATRONI_REST_MODULE]: restModule };
}
