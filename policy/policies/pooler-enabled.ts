/**
 * Applications reach the cluster through the pooler: PgBouncer caps the connections PostgreSQL
 * sees and follows the primary across failovers and switchovers.
 */
import type { ResourceValidationPolicy } from '@pulumi/policy';
import { clusterLabel, specOf } from '../lib/spec';

export const POOLER_ENABLED = 'pgcluster-pooler-enabled';

export const poolerEnabled: ResourceValidationPolicy = {
  name: POOLER_ENABLED,
  description: 'Each PostgresCluster runs its PgBouncer pooler (pooler.enabled) in front of the application.',
  enforcementLevel: 'mandatory',
  severity: 'medium',
  validateResource: (args, reportViolation) => {
    const found = specOf(args);
    if (!found) return;
    if (found.spec.pooler?.enabled === false)
      reportViolation(
        `${clusterLabel(found.spec)}: pooler.enabled is false; required: true (the application ` +
          'connects through PgBouncer, which follows the primary across failovers and switchovers).',
      );
  },
};
