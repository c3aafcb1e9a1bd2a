/**
 * The Kubernetes objects of a pgcluster cluster as the engine sees them: the members' StatefulSet
 * is recognised by the labels pgcluster puts on every member pod (provider/render/kubernetes/
 * labels.ts) or, failing that, by having a PostgresCluster as parent in its URN.
 */
import { POSTGRES_CLUSTER_TYPE } from './spec';

export const STATEFULSET_TYPE = 'kubernetes:apps/v1:StatefulSet';
export const PDB_TYPES: readonly string[] = [
  'kubernetes:policy/v1:PodDisruptionBudget',
  'kubernetes:policy/v1beta1:PodDisruptionBudget',
];

const MANAGED_BY = 'app.kubernetes.io/managed-by';
const COMPONENT = 'app.kubernetes.io/component';
const INSTANCE = 'app.kubernetes.io/instance';

type Labels = Record<string, string>;

export interface StatefulSetProps {
  metadata?: { name?: string; namespace?: string; labels?: Labels };
  spec?: {
    template?: {
      metadata?: { labels?: Labels };
      spec?: { containers?: Array<{ name?: string; resources?: ResourceRequirements }> };
    };
  };
}

export interface ResourceRequirements {
  requests?: Record<string, string | number>;
  limits?: Record<string, string | number>;
}

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export interface PdbProps {
  metadata?: { name?: string; namespace?: string };
  spec?: { selector?: LabelSelector; minAvailable?: number | string; maxUnavailable?: number | string };
}

/** True for the StatefulSet that runs a pgcluster cluster's members. */
export function isClusterStatefulSet(resource: {
  type: string;
  urn: string;
  props: StatefulSetProps;
}): boolean {
  if (resource.type !== STATEFULSET_TYPE) return false;
  const labels = podLabels(resource.props);
  if (labels[MANAGED_BY] === 'pgcluster' && labels[COMPONENT] === 'database') return true;
  return resource.urn.includes(`${POSTGRES_CLUSTER_TYPE}$${STATEFULSET_TYPE}::`);
}

export function podLabels(props: StatefulSetProps): Labels {
  return props.spec?.template?.metadata?.labels ?? {};
}

/** The cluster a StatefulSet belongs to: its instance label, else the object's name. */
export function clusterNameOf(props: StatefulSetProps, fallback: string): string {
  return props.metadata?.labels?.[INSTANCE] ?? podLabels(props)[INSTANCE] ?? props.metadata?.name ?? fallback;
}

export function namespaceOf(props: { metadata?: { namespace?: string } }): string {
  return props.metadata?.namespace ?? 'default';
}

/** The PostgreSQL container: the one named postgres, else the first. */
export function postgresContainer(props: StatefulSetProps) {
  const containers = props.spec?.template?.spec?.containers ?? [];
  return containers.find((c) => c.name === 'postgres') ?? containers[0];
}

/** Kubernetes label-selector semantics (an empty selector selects nothing here: it is no budget). */
export function selects(selector: LabelSelector | undefined, labels: Labels): boolean {
  const matchLabels = Object.entries(selector?.matchLabels ?? {});
  const expressions = selector?.matchExpressions ?? [];
  if (matchLabels.length === 0 && expressions.length === 0) return false;
  return (
    matchLabels.every(([k, v]) => labels[k] === v) &&
    expressions.every((e) => {
      const has = Object.prototype.hasOwnProperty.call(labels, e.key);
      const value = labels[e.key];
      switch (e.operator) {
        case 'In':
          return has && (e.values ?? []).includes(value as string);
        case 'NotIn':
          return !has || !(e.values ?? []).includes(value as string);
        case 'Exists':
          return has;
        case 'DoesNotExist':
          return !has;
        default:
          return false;
      }
    })
  );
}
