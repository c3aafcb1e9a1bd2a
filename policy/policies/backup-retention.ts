/**
 * Every cluster has backups to S3 with a retention. pgcluster declares `backup` (s3, schedule,
 * retention) but does not support it yet, so every cluster fails this check today: the policy is
 * advisory by default (it warns, it does not block) until backups land; make it mandatory in the
 * pack's config then.
 */
import type { ResourceValidationPolicy } from '@pulumi/policy';
import { clusterLabel, specOf } from '../lib/spec';
import { show } from '../lib/show';

export const BACKUP_RETENTION = 'pgcluster-backup-retention';

/** What is wrong with a cluster's `backup`, one sentence per problem; empty when compliant. */
export function backupProblems(backup: unknown): string[] {
  if (backup === undefined || backup === null)
    return ['backup is not set; required: backup.s3 (the archive bucket) and backup.retention'];
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
    'Each PostgresCluster sends WAL and backups to S3 (backup.s3.bucket) and keeps them for a set ' +
    'retention (backup.retention). Advisory by default: pgcluster does not support backups yet.',
  enforcementLevel: 'advisory',
  severity: 'high',
  validateResource: (args, reportViolation) => {
    const found = specOf(args);
    if (!found) return;
    for (const problem of backupProblems(found.spec.backup))
      reportViolation(`${clusterLabel(found.spec)}: ${problem}.`);
  },
};
