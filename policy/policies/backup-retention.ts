/**
 * Backups that are declared are complete: a cluster that sets `backup` names (or gets, from the
 * component) its archive bucket and keeps backups for a retention. Mandatory. Whether every
 * cluster must have backups at all is `pgcluster-backup-required` (advisory by default).
 */
import type { ResourceValidationPolicy } from '@pulumi/policy';
import { clusterLabel, specOf } from '../lib/spec';
import { show } from '../lib/show';

export const BACKUP_RETENTION = 'pgcluster-backup-retention';

export const NOT_SET = 'backup is not set; required: backup.s3 (the archive bucket) and backup.retention';

/** What is wrong with a cluster's `backup`, one sentence per problem; empty when compliant. */
export function backupProblems(backup: unknown): string[] {
  if (backup === undefined || backup === null) return [NOT_SET];
  if (typeof backup !== 'object')
    return [`backup is ${show(backup)}; required: an object with s3 and retention`];
  const { s3, retention } = backup as { s3?: unknown; retention?: unknown };
  const problems: string[] = [];
  const bucket = typeof s3 === 'object' && s3 !== null ? (s3 as { bucket?: unknown }).bucket : undefined;
  if (typeof bucket !== 'string' || bucket === '')
    problems.push(
      `backup.s3.bucket is ${show(bucket)}; required: the S3 bucket of the WAL archive and backups`,
    );
  if (!isRetention(retention))
    problems.push(
      `backup.retention is ${show(retention)}; required: how long backups are kept ` +
        '(a positive number of full backups, a duration such as "30d", or an object of such values)',
    );
  return problems;
}

/** A positive count, a non-empty text (e.g. "30d"), or an object holding at least one of those. */
function isRetention(value: unknown): boolean {
  if (typeof value === 'number') return value > 0;
  if (typeof value === 'string') return value.trim() !== '';
  if (typeof value === 'object' && value !== null) return Object.values(value).some(isRetention);
  return false;
}

export const backupRetention: ResourceValidationPolicy = {
  name: BACKUP_RETENTION,
  description:
    'A PostgresCluster that sets backup sends WAL and backups to an S3 bucket (backup.s3.bucket, or ' +
    'the one the component creates) and keeps them for a retention (backup.retention).',
  enforcementLevel: 'mandatory',
  severity: 'high',
  validateResource: (args, reportViolation) => {
    const found = specOf(args);
    if (!found || found.spec.backup === undefined || found.spec.backup === null) return;
    for (const problem of backupProblems(found.spec.backup))
      reportViolation(`${clusterLabel(found.spec)}: ${problem}.`);
  },
};
