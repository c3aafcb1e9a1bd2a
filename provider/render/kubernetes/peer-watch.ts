/**
 * The peer-watch sidecar of the member pods (platform.kubernetes.peerWatch): the script, shipped in
 * the Patroni ConfigMap, releases the leader lock of a member whose postgres container died
 * (provider/platform/local/scripts/k8s-peer-watch.py says when, and why that is safe).
 */
import type { ClusterSpec } from '../../spec/cluster';
import type { KubernetesPlatformSpec } from '../../spec/kubernetes';
import { kubernetesImage } from '../../spec/kubernetes';
import { CONFIG_MOUNT } from './patroni-config';
import { containerSecurityContext } from './security';

export const PEER_WATCH_SCRIPT = 'k8s-peer-watch.py';

export function peerWatchContainer(spec: ClusterSpec, platform: KubernetesPlatformSpec) {
  return {
    name: 'peer-watch',
    image: kubernetesImage(spec.postgresVersion, platform),
    imagePullPolicy: platform.imagePullPolicy,
    command: ['python3', `${CONFIG_MOUNT}/${PEER_WATCH_SCRIPT}`],
    env: [
      { name: 'PATRONI_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'PATRONI_KUBERNETES_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'PGCLUSTER_SCOPE', value: spec.name },
    ],
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
    securityContext: containerSecurityContext(),
    volumeMounts: [{ name: 'patroni-config', mountPath: CONFIG_MOUNT, readOnly: true }],
  };
}

/** The ConfigMap entry of the script (its text given), when the watch is on. */
export function peerWatchFiles(platform: KubernetesPlatformSpec, script: string): Record<string, string> {
  return platform.peerWatch ? { [PEER_WATCH_SCRIPT]: script } : {};
}
