/**
 * Members get the CPU and memory they need and cannot starve their node: the PostgreSQL container
 * of a cluster's StatefulSet sets requests and limits (kubernetes platform). Default: requests for
 * cpu and memory, a limit for memory only (a CPU limit throttles PostgreSQL under load, while a
 * memory limit keeps one member from pushing its node into the OOM killer); both lists are
 * configurable.
 */
import type { ResourceValidationPolicy } from '@pulumi/policy';
import { configWithDefaults } from '../lib/config';
import { show } from '../lib/show';
import {
  clusterNameOf,
  isClusterStatefulSet,
  postgresContainer,
  STATEFULSET_TYPE,
  type StatefulSetProps,
} from '../lib/kubernetes';

export const KUBERNETES_RESOURCES = 'pgcluster-kubernetes-resources';

export interface ResourcesConfig {
  requests: string[];
  limits: string[];
}

export const RESOURCES_DEFAULTS: ResourcesConfig = { requests: ['cpu', 'memory'], limits: ['memory'] };

/** The `resources.<kind>.<name>` spec fields that are missing (absent, empty or zero). */
export function missingResources(props: StatefulSetProps, config: ResourcesConfig) {
  const resources = postgresContainer(props)?.resources ?? {};
  const wanted = [
    ...config.requests.map((name) => ({ kind: 'requests' as const, name })),
    ...config.limits.map((name) => ({ kind: 'limits' as const, name })),
  ];
  return wanted
    .map(({ kind, name }) => ({ field: `resources.${kind}.${name}`, value: resources[kind]?.[name] }))
    .filter(({ value }) => value === undefined || value === '' || value === 0 || value === '0');
}

function required(config: ResourcesConfig): string {
  const fields = [
    ...config.requests.map((n) => `resources.requests.${n}`),
    ...config.limits.map((n) => `resources.limits.${n}`),
  ];
  return fields.length <= 1 ? fields.join('') : `${fields.slice(0, -1).join(', ')} and ${fields.at(-1)}`;
}

export const kubernetesResources: ResourceValidationPolicy = {
  name: KUBERNETES_RESOURCES,
  description:
    'On Kubernetes, each PostgresCluster sets resources: CPU and memory requests and a memory ' +
    'limit for its PostgreSQL container (configurable).',
  enforcementLevel: 'mandatory',
  severity: 'medium',
  configSchema: {
    properties: {
      requests: {
        type: 'array',
        items: { type: 'string' },
        default: [...RESOURCES_DEFAULTS.requests],
        description: 'Resources that must have a request.',
      },
      limits: {
        type: 'array',
        items: { type: 'string' },
        default: [...RESOURCES_DEFAULTS.limits],
        description: 'Resources that must have a limit.',
      },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== STATEFULSET_TYPE) return;
    const props = args.props as StatefulSetProps;
    if (!isClusterStatefulSet({ type: args.type, urn: args.urn, props })) return;
    const config = configWithDefaults(args, RESOURCES_DEFAULTS);
    const cluster = clusterNameOf(props, args.name);
    const container = postgresContainer(props)?.name ?? 'postgres';
    for (const { field, value } of missingResources(props, config))
      reportViolation(
        `PostgresCluster ${cluster}: ${field} is ${show(value)} (StatefulSet ${props.metadata?.name ?? args.name}, ` +
          `container ${container}); required: ${required(config)}.`,
      );
  },
};
