/**
 * S3 resources of @pulumi/aws as the engine sees them. The bucket's settings live in separate
 * resources that name it in their `bucket` input (v6 token names end in V2; v7 drops the suffix).
 * Settings given inline on a bucket (deprecated arguments) are not read.
 */
import type { PolicyResource } from '@pulumi/policy';
import { isKnown, known, type Unknown } from './known';

export const S3_TYPES = {
  bucket: ['aws:s3/bucketV2:BucketV2', 'aws:s3/bucket:Bucket'],
  encryption: [
    'aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2',
    'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
  ],
  versioning: ['aws:s3/bucketVersioningV2:BucketVersioningV2', 'aws:s3/bucketVersioning:BucketVersioning'],
  publicAccessBlock: ['aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock'],
} as const satisfies Record<string, readonly string[]>;

export type S3Kind = keyof typeof S3_TYPES;

export function isS3(kind: S3Kind, resource: { type: string }): boolean {
  return (S3_TYPES[kind] as readonly string[]).includes(resource.type);
}

/** The bucket's name in S3 (its `bucket` property; auto-named by the provider when not given). */
export function bucketName(bucket: PolicyResource): string | Unknown | undefined {
  return known(() => {
    const name: unknown = bucket.props.bucket;
    return typeof name === 'string' ? name : undefined;
  });
}

/** Tag keys of a bucket (`tags`, else the provider's `tagsAll`). */
export function bucketTags(bucket: PolicyResource): Record<string, string> | Unknown {
  return known(() => (bucket.props.tags ?? bucket.props.tagsAll ?? {}) as Record<string, string>);
}

/**
 * True when a settings resource belongs to the bucket: its `bucket` input came from the bucket
 * resource (property dependency: works in preview, when the bucket's id is still unknown) or
 * names it.
 */
export function belongsTo(setting: PolicyResource, bucket: PolicyResource): boolean {
  if ((setting.propertyDependencies?.bucket ?? []).some((d) => d.urn === bucket.urn)) return true;
  const named = known(() => setting.props.bucket as unknown);
  const name = bucketName(bucket);
  return isKnown(named) && isKnown(name) && typeof named === 'string' && named === name;
}
