/**
 * Every cluster has a WAL archive and backups. Advisory by default: a cluster without `backup` is
 * warned about, not blocked; make it mandatory in the pack config where every cluster must be
 * restorable. (Declared backups that are incomplete are pgcluster-backup-retention's, mandatory.)
 */
import type { ResourceValidationPolicy } from '@pulumi/policy';
import { clusterLabel, specOf } from '../lib/spec';
import { NOT_SET } from './backup-retention';

export const BACKUP_REQUIRED = 'pgcluster-backup-required';

export const backupRequired: ResourceValidationPolicy = {
  name: BACKUP_REQUIRED,
  description:
    'Every PostgresCluster has a WAL archive and backups (backup). Advisory by default: make it ' +
    'mandatory in the pack config for stacks where every cluster must be restorable.',
  enforcementLevel: 'advisory',
  severity: 'high',
  validateResource: (args, reportViolation) => {
    const found = specOf(args);
    if (!found) return;
    if (found.spec.backup === undefined || found.spec.backup === null)
      reportViolation(`${clusterLabel(found.spec)}: ${NOT_SET}.`);
  },
};
