/**
 * The bucket that holds a cluster's WAL archive and backups is encrypted, versioned (a deleted or
 * overwritten backup can be recovered) and blocks public access. A stack policy, because a
 * bucket's settings are separate resources.
 *
 * Which buckets: those a cluster's backup.s3.bucket names (by S3 name, or, while that name is
 * unknown in preview, the buckets the cluster's spec was computed from); when no cluster of the
 * stack names one, every bucket tagged `pgcluster` (tag key configurable). A value still unknown in
 * preview counts as compliant: the check runs again with real values during `pulumi up`.
 */
import type { PolicyResource, ReportViolation, StackValidationPolicy } from '@pulumi/policy';
import { configWithDefaults } from '../lib/config';
import { isKnown, known } from '../lib/known';
import { belongsTo, bucketName, bucketTags, isS3 } from '../lib/s3';
import { encryptionProblem, publicAccessProblem, versioningProblem } from '../lib/s3-settings';
import { carriesSpec, clusterLabel } from '../lib/spec';
import { show } from '../lib/show';

export const ARCHIVE_BUCKET = 'pgcluster-archive-bucket';

export interface ArchiveBucketConfig {
  tagKey: string;
}

interface Archive {
  bucket: PolicyResource;
  /** Why this bucket is checked, for the message. */
  role: string;
}

/** The buckets clusters archive to, by name or (unknown name) by the spec's dependencies. */
function referencedArchives(resources: readonly PolicyResource[]): Archive[] {
  const buckets = resources.filter((r) => isS3('bucket', r));
  const archives: Archive[] = [];
  for (const carrier of resources.filter((r) => carriesSpec(r.type))) {
    const spec = known(() => carrier.props.spec as { name?: string; backup?: { s3?: { bucket?: unknown } } });
    const name = isKnown(spec) ? spec?.name : undefined;
    const wanted = isKnown(spec) ? known(() => spec?.backup?.s3?.bucket) : spec;
    const role = `the backup archive of ${clusterLabel({ name: name ?? carrier.name })}`;
    if (isKnown(wanted)) {
      if (typeof wanted !== 'string') continue;
      for (const b of buckets) if (bucketName(b) === wanted) archives.push({ bucket: b, role });
    } else {
      const deps = new Set((carrier.propertyDependencies?.spec ?? []).map((d) => d.urn));
      for (const b of buckets) if (deps.has(b.urn)) archives.push({ bucket: b, role });
    }
  }
  return archives;
}

function taggedArchives(resources: readonly PolicyResource[], tagKey: string): Archive[] {
  return resources
    .filter((r) => isS3('bucket', r))
    .filter((b) => {
      const tags = bucketTags(b);
      return isKnown(tags) && Object.prototype.hasOwnProperty.call(tags, tagKey);
    })
    .map((bucket) => ({ bucket, role: `tagged ${tagKey}` }));
}

/** Problems of one archive bucket, each a sentence naming the setting, its value and what is required. */
export function archiveProblems(bucket: PolicyResource, resources: readonly PolicyResource[]): string[] {
  const settings = (kind: 'encryption' | 'versioning' | 'publicAccessBlock') =>
    resources.filter((r) => isS3(kind, r) && belongsTo(r, bucket));
  return [
    encryptionProblem(settings('encryption')),
    versioningProblem(settings('versioning')),
    publicAccessProblem(settings('publicAccessBlock')),
  ].filter((p): p is string => p !== undefined);
}

function report(archive: Archive, resources: readonly PolicyResource[], reportViolation: ReportViolation) {
  const name = bucketName(archive.bucket);
  const label =
    `S3 bucket ${isKnown(name) && name !== undefined ? show(name) : archive.bucket.name} ` +
    `(${archive.bucket.type} ${archive.bucket.name}), ${archive.role}`;
  for (const problem of archiveProblems(archive.bucket, resources))
    reportViolation(`${label}: ${problem}.`, archive.bucket.urn);
}

export const archiveBucket: StackValidationPolicy = {
  name: ARCHIVE_BUCKET,
  description:
    "The S3 bucket of a PostgresCluster's WAL archive and backups (backup.s3.bucket; else every " +
    'bucket tagged pgcluster) is encrypted, versioned and blocks public access.',
  enforcementLevel: 'mandatory',
  severity: 'critical',
  configSchema: {
    properties: {
      tagKey: {
        type: 'string',
        default: 'pgcluster',
        description: 'Tag key that marks archive buckets when no cluster names its bucket.',
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const config = configWithDefaults<ArchiveBucketConfig>(args, { tagKey: 'pgcluster' });
    const referenced = referencedArchives(args.resources);
    const archives = referenced.length > 0 ? referenced : taggedArchives(args.resources, config.tagKey);
    const seen = new Set<string>();
    for (const archive of archives) {
      if (seen.has(archive.bucket.urn)) continue;
      seen.add(archive.bucket.urn);
      report(archive, args.resources, reportViolation);
    }
  },
};
