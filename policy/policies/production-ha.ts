/**
 * Production clusters survive the loss of a member without losing acknowledged writes: at least
 * three instances and synchronous replication. Which stacks are production is configurable
 * (stack-name patterns); the stack name is read from the resource's URN.
 */
import type { ResourceValidationPolicy } from '@pulumi/policy';
import { clusterLabel, specOf, type ClusterSpecView } from '../lib/spec';
import { DEFAULT_PRODUCTION_STACKS, matchesStackPattern, stackOfUrn } from '../lib/stack';
import { configWithDefaults } from '../lib/config';
import { show } from '../lib/show';

export const PRODUCTION_HA = 'pgcluster-production-ha';

export interface ProductionHaConfig {
  productionStacks: string[];
  minInstances: number;
  strictSynchronous: boolean;
}

export const PRODUCTION_HA_DEFAULTS: ProductionHaConfig = {
  productionStacks: [...DEFAULT_PRODUCTION_STACKS],
  minInstances: 3,
  strictSynchronous: false,
};

export function productionHaProblems(spec: ClusterSpecView, config: ProductionHaConfig): string[] {
  const problems: string[] = [];
  if (spec.instances < config.minInstances)
    problems.push(
      `instances is ${spec.instances}; required: at least ${config.minInstances} ` +
        '(a primary and replicas to fail over to)',
    );
  if (!spec.synchronous)
    problems.push(
      'synchronous is not set (asynchronous replication: a failover may lose acknowledged writes); ' +
        `required: synchronous replication, e.g. synchronous: {number: 1, dataDurability: "required"}`,
    );
  else if (config.strictSynchronous && spec.synchronous.dataDurability !== 'required')
    problems.push(
      `synchronous.dataDurability is ${show(spec.synchronous.dataDurability)}; required: "required" ` +
        '(strictSynchronous is set in the policy config)',
    );
  return problems;
}

export const productionHa: ResourceValidationPolicy = {
  name: PRODUCTION_HA,
  description:
    'In production stacks, each PostgresCluster has at least 3 instances and synchronous ' +
    'replication (synchronous), so losing the primary loses no acknowledged write.',
  enforcementLevel: 'mandatory',
  severity: 'critical',
  configSchema: {
    properties: {
      productionStacks: {
        type: 'array',
        items: { type: 'string' },
        default: [...DEFAULT_PRODUCTION_STACKS],
        description:
          'Stack-name patterns that count as production (`*` any characters, `?` one; case ignored).',
      },
      minInstances: { type: 'integer', minimum: 1, default: 3, description: 'Fewest instances allowed.' },
      strictSynchronous: {
        type: 'boolean',
        default: false,
        description: 'Also require synchronous.dataDurability "required" (no fallback to asynchronous).',
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const found = specOf(args);
    if (!found) return;
    const config = configWithDefaults(args, PRODUCTION_HA_DEFAULTS);
    const stack = stackOfUrn(args.urn);
    if (stack === undefined || !matchesStackPattern(stack, config.productionStacks)) return;
    for (const problem of productionHaProblems(found.spec, config))
      reportViolation(`${clusterLabel(found.spec)} in production stack ${stack}: ${problem}.`);
  },
};
