/** Services <name>-rw (primary), -ro (replicas), -r (any member), the headless one, and the PDB. */
import type { KubernetesNames } from '../../naming';
import { commonLabels, memberSelector, PRIMARY_ROLE, REPLICA_ROLE, ROLE_LABEL } from './labels';
import { PATRONI_PORT, PG_PORT } from './patroni-config';

function service(name: string, namespace: string, cluster: string, selector: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: commonLabels(cluster) },
    spec: {
      type: 'ClusterIP',
      selector,
      ports: [{ name: 'postgresql', port: PG_PORT, targetPort: PG_PORT, protocol: 'TCP' }],
    },
  };
}

export function buildServices(cluster: string, namespace: string, names: KubernetesNames) {
  const members = memberSelector(cluster);
  return {
    rw: service(names.rw, namespace, cluster, { ...members, [ROLE_LABEL]: PRIMARY_ROLE }),
    ro: service(names.ro, namespace, cluster, { ...members, [ROLE_LABEL]: REPLICA_ROLE }),
    r: service(names.r, namespace, cluster, members),
    headless: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: names.headless, namespace, labels: commonLabels(cluster) },
      spec: {
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        selector: members,
        ports: [
          { name: 'postgresql', port: PG_PORT, targetPort: PG_PORT, protocol: 'TCP' },
          { name: 'patroni', port: PATRONI_PORT, targetPort: PATRONI_PORT, protocol: 'TCP' },
        ],
      },
    },
  };
}

/** At most one member down at a time by voluntary disruption (drains, upgrades). */
export function buildPodDisruptionBudget(cluster: string, namespace: string, names: KubernetesNames) {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: names.pdb, namespace, labels: commonLabels(cluster) },
    spec: { maxUnavailable: 1, selector: { matchLabels: memberSelector(cluster) } },
  };
}

export function buildPatroniConfigMap(
  cluster: string,
  namespace: string,
  names: KubernetesNames,
  patroniYaml: string,
  /** Files beside it (bootstrap.pgBasebackup's script and configuration). */
  files: Record<string, string> = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: names.patroniConfig, namespace, labels: commonLabels(cluster) },
    data: { 'patroni.yml': patroniYaml, ...files },
  };
}
