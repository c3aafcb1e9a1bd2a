/**
 * What Patroni's Kubernetes DCS needs, and nothing more: it keeps leader, config, sync and failover
 * state in ConfigMaps (use_endpoints: false) and labels/annotates its own pod; the pre_promote
 * fencing script deletes the pod of a member that may still run a primary (patroni-config.ts).
 */
import type { KubernetesNames } from '../../naming';
import { commonLabels } from './labels';

export const PATRONI_RULES = [
  {
    apiGroups: [''],
    resources: ['configmaps'],
    verbs: ['create', 'get', 'list', 'watch', 'patch', 'update', 'delete', 'deletecollection'],
  },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'patch', 'update', 'delete'] },
];

export function buildRbac(cluster: string, namespace: string, names: KubernetesNames) {
  const metadata = (name: string) => ({ name, namespace, labels: commonLabels(cluster) });
  return {
    serviceAccount: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(names.serviceAccount) },
    role: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: metadata(names.role),
      rules: PATRONI_RULES,
    },
    roleBinding: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: metadata(names.roleBinding),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: names.role },
      subjects: [{ kind: 'ServiceAccount', name: names.serviceAccount, namespace }],
    },
  };
}
