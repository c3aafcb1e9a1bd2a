/** Labels on every object of a cluster, and the selectors Patroni's labels make possible. */
import { KUBERNETES_ROLE_LABEL } from '../../patroni/roles';

/** Patroni's scope label (its default `scope_label`). */
export const SCOPE_LABEL = 'cluster-name';
/** Patroni's role label and the values it writes (Patroni 4.x: `primary` or `replica`). */
export const ROLE_LABEL = KUBERNETES_ROLE_LABEL.key;
export const PRIMARY_ROLE = KUBERNETES_ROLE_LABEL.primary;
export const REPLICA_ROLE = KUBERNETES_ROLE_LABEL.replica;

export function commonLabels(cluster: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'postgresql',
    'app.kubernetes.io/instance': cluster,
    'app.kubernetes.io/managed-by': 'pgcluster',
  };
}

/** Labels Patroni uses to find the cluster's pods and its ConfigMaps (it adds the scope label). */
export function patroniLabels(cluster: string): Record<string, string> {
  return { 'app.kubernetes.io/instance': cluster, 'app.kubernetes.io/managed-by': 'pgcluster' };
}

export function memberLabels(cluster: string): Record<string, string> {
  return { ...commonLabels(cluster), [SCOPE_LABEL]: cluster, 'app.kubernetes.io/component': 'database' };
}

export function memberSelector(cluster: string): Record<string, string> {
  return { ...patroniLabels(cluster), [SCOPE_LABEL]: cluster };
}

export function poolerLabels(cluster: string): Record<string, string> {
  return { ...commonLabels(cluster), 'app.kubernetes.io/component': 'pooler' };
}

export function poolerSelector(cluster: string): Record<string, string> {
  return { 'app.kubernetes.io/instance': cluster, 'app.kubernetes.io/component': 'pooler' };
}
