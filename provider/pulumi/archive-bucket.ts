/**
 * The archive bucket the component creates when backup.s3 names none, and the AWS identity its
 * pgBackRest uses: versioned, encrypted (AES256, or the given KMS key), all four public-access
 * blocks, BucketOwnerEnforced, a policy that denies requests without TLS, noncurrent versions
 * expired after 30 days; an IAM policy allowing only the cluster's prefix; and either an IAM role
 * for the pods' service account (IRSA) or an IAM user with a static key (a secret). @pulumi/aws's
 * current (non-V2) S3 classes. The AWS provider plugin cannot be built here: tests run this under
 * mocks with every input asserted.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { S3Spec } from '../spec/backup';

/** Days a replaced or deleted object version is kept before it expires. */
export const NONCURRENT_DAYS = 30;

export interface ArchiveIdentityArgs {
  cluster: string;
  /** The key prefix of the cluster's repository, e.g. /pgcluster/orders. */
  prefix: string;
  s3: S3Spec;
  /** With IRSA: the service accounts of the pods that reach the repository (members, backup jobs). */
  serviceAccounts?: ReadonlyArray<{ namespace: string; name: string }>;
}

export interface ArchiveIdentity {
  bucket: pulumi.Output<string>;
  /** IRSA: the role the pods' service account is annotated with. */
  roleArn?: pulumi.Output<string>;
  /** Without IRSA: the IAM user's key (secret). */
  accessKey?: { accessKeyId: pulumi.Output<string>; secretAccessKey: pulumi.Output<string> };
}

/** Least privilege: list the prefix, read, write and delete under it, find the bucket's region. */
export function prefixPolicy(bucketArn: string, prefix: string): string {
  const key = prefix.replace(/^\/+/, '').replace(/\/+$/, '');
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'FindBucket', Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: [bucketArn] },
      {
        Sid: 'ListPrefix',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: [bucketArn],
        Condition: { StringLike: { 's3:prefix': [key, `${key}/*`] } },
      },
      {
        Sid: 'ObjectsUnderPrefix',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: [`${bucketArn}/${key}/*`],
      },
    ],
  });
}

function denyInsecureTransport(bucketArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });
}

function trustServiceAccount(
  providerArn: string,
  providerUrl: string,
  accounts: ReadonlyArray<{ namespace: string; name: string }>,
): string {
  const issuer = providerUrl.replace(/^https:\/\//, '');
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          // A list under StringEquals matches any of its values: each pod service account may assume it.
          StringEquals: {
            [`${issuer}:sub`]: accounts.map((sa) => `system:serviceaccount:${sa.namespace}:${sa.name}`),
            [`${issuer}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  });
}

/** The bucket and its controls. */
function createBucket(name: string, args: ArchiveIdentityArgs, opts: pulumi.CustomResourceOptions) {
  const tags = { pgcluster: args.cluster };
  const bucket = new aws.s3.Bucket(
    `${name}-archive`,
    { bucketPrefix: `pgcluster-${args.cluster}-`, forceDestroy: false, tags },
    {
      ...opts,
      // The archive outlives the stack: destroying the cluster never deletes its backups.
      retainOnDelete: true,
    },
  );
  const on = { ...opts, parent: bucket };
  new aws.s3.BucketVersioning(
    `${name}-archive-versioning`,
    { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } },
    on,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-archive-encryption`,
    {
      bucket: bucket.id,
      rules: [
        {
          applyServerSideEncryptionByDefault: args.s3.kmsKeyId
            ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: args.s3.kmsKeyId }
            : { sseAlgorithm: 'AES256' },
          bucketKeyEnabled: args.s3.kmsKeyId !== undefined,
        },
      ],
    },
    on,
  );
  const block = new aws.s3.BucketPublicAccessBlock(
    `${name}-archive-public-access`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    on,
  );
  new aws.s3.BucketOwnershipControls(
    `${name}-archive-ownership`,
    { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } },
    on,
  );
  new aws.s3.BucketPolicy(
    `${name}-archive-tls-only`,
    { bucket: bucket.id, policy: bucket.arn.apply(denyInsecureTransport) },
    { ...on, dependsOn: [block] },
  );
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-archive-lifecycle`,
    {
      bucket: bucket.id,
      rules: [
        {
          id: 'expire-noncurrent-versions',
          status: 'Enabled',
          filter: {},
          noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_DAYS },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ],
    },
    on,
  );
  return bucket;
}

/**
 * The bucket (created when backup.s3.bucket is absent) and the identity pgBackRest uses: the IRSA
 * role when backup.s3.irsa is set, else, for a created bucket without credentials, an IAM user and
 * its key.
 */
export function createArchiveIdentity(
  parent: pulumi.Resource,
  name: string,
  args: ArchiveIdentityArgs,
): ArchiveIdentity {
  const opts = { parent };
  const created = args.s3.bucket === undefined ? createBucket(name, args, opts) : undefined;
  const bucketName = created ? created.bucket : pulumi.output(args.s3.bucket as string);
  const bucketArn = created ? created.arn : pulumi.output(`arn:aws:s3:::${args.s3.bucket}`);
  const irsa = args.s3.irsa;
  if (!created && !irsa) return { bucket: bucketName };
  const policy = new aws.iam.Policy(
    `${name}-archive-access`,
    {
      description: `pgcluster ${args.cluster}: its pgBackRest repository ${args.prefix} only`,
      policy: bucketArn.apply((arn) => prefixPolicy(arn, args.prefix)),
      tags: { pgcluster: args.cluster },
    },
    opts,
  );
  if (irsa) {
    if (!args.serviceAccounts?.length) throw new Error("backup.s3.irsa needs the pods' service accounts");
    const role = new aws.iam.Role(
      `${name}-archive-role`,
      {
        description: `pgcluster ${args.cluster}: pgBackRest of the pods (IRSA)`,
        assumeRolePolicy: trustServiceAccount(
          irsa.oidcProviderArn,
          irsa.oidcProviderUrl,
          args.serviceAccounts,
        ),
        tags: { pgcluster: args.cluster },
      },
      opts,
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-archive-role-access`,
      { role: role.name, policyArn: policy.arn },
      { parent: role },
    );
    return { bucket: bucketName, roleArn: role.arn };
  }
  if (args.s3.credentials) return { bucket: bucketName };
  const user = new aws.iam.User(
    `${name}-archive-user`,
    { path: '/pgcluster/', tags: { pgcluster: args.cluster } },
    opts,
  );
  new aws.iam.UserPolicyAttachment(
    `${name}-archive-user-access`,
    { user: user.name, policyArn: policy.arn },
    { parent: user },
  );
  const key = new aws.iam.AccessKey(
    `${name}-archive-key`,
    { user: user.name },
    { parent: user, additionalSecretOutputs: ['secret'] },
  );
  return {
    bucket: bucketName,
    accessKey: { accessKeyId: key.id, secretAccessKey: pulumi.secret(key.secret) },
  };
}
