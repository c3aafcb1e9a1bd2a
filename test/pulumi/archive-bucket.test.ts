/**
 * The archive bucket and identity the component creates when backup.s3 names no bucket, under
 * pulumi.runtime.setMocks (the AWS provider plugin cannot be built here): each control of the
 * bucket, the IAM policy scoped to the cluster's prefix, the IAM user's key handed to pgBackRest as
 * a secret, the IRSA role's trust, and that a given bucket creates nothing.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as pulumi from '@pulumi/pulumi';
import { isSecretValue, settle, setupMocks, valueOf, type Registered } from '../helpers/pulumi-mocks';
import { PostgresCluster } from '../../provider/pulumi/component';
import { createArchiveIdentity, prefixPolicy } from '../../provider/pulumi/archive-bucket';
import { parseSpec } from '../../provider/spec';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const LOCAL = { platform: { local: { basePort: 25000 } } };

async function build(args: Record<string, unknown>, name = 'orders'): Promise<Registered[]> {
  const { resources } = setupMocks();
  const cluster = new PostgresCluster(name, args);
  await valueOf(cluster.urn);
  await settle(resources);
  return resources;
}

function only(resources: Registered[], type: string): Registered {
  const found = resources.filter((r) => r.type === type);
  assert.equal(found.length, 1, `${type}: found ${found.length}`);
  return found[0] as Registered;
}

describe('the archive bucket the component creates (mocks)', () => {
  test('GIVEN backup without a bucket WHEN constructed THEN a bucket with every control, and the cluster archives to it with its own key', async () => {
    const resources = await build({ ...LOCAL, backup: { s3: { region: 'eu-west-1' }, schedule: {} } });
    const bucket = only(resources, 'aws:s3/bucket:Bucket');
    assert.equal(bucket.inputs.bucketPrefix, 'pgcluster-orders-');
    assert.equal(bucket.inputs.forceDestroy, false);
    assert.deepEqual(bucket.inputs.tags, { pgcluster: 'orders' });
    assert.deepEqual(
      only(resources, 'aws:s3/bucketVersioning:BucketVersioning').inputs.versioningConfiguration,
      { status: 'Enabled' },
    );
    assert.deepEqual(
      only(
        resources,
        'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
      ).inputs.rules,
      [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: false }],
    );
    const block = only(resources, 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock').inputs;
    for (const flag of ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'])
      assert.equal(block[flag], true, flag);
    assert.deepEqual(only(resources, 'aws:s3/bucketOwnershipControls:BucketOwnershipControls').inputs.rule, {
      objectOwnership: 'BucketOwnerEnforced',
    });
    const tls = JSON.parse(
      only(resources, 'aws:s3/bucketPolicy:BucketPolicy').inputs.policy as string,
    ) as Obj;
    assert.deepEqual(tls.Statement[0].Condition, { Bool: { 'aws:SecureTransport': 'false' } });
    assert.equal(tls.Statement[0].Effect, 'Deny');
    assert.deepEqual(tls.Statement[0].Resource, [
      'arn:aws:s3:::pgcluster-orders-0123456789',
      'arn:aws:s3:::pgcluster-orders-0123456789/*',
    ]);
    const rule = (
      only(resources, 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration').inputs
        .rules as Obj[]
    )[0]!;
    assert.equal(rule.status, 'Enabled');
    assert.deepEqual(rule.noncurrentVersionExpiration, { noncurrentDays: 30 });
    // Every control belongs to the bucket.
    for (const r of resources.filter(
      (x) => x.type.startsWith('aws:s3/bucket') && x.type !== 'aws:s3/bucket:Bucket',
    ))
      assert.equal(r.inputs.bucket, 'orders-archive-id', r.type);

    const policy = JSON.parse(only(resources, 'aws:iam/policy:Policy').inputs.policy as string) as Obj;
    assert.deepEqual(
      policy,
      JSON.parse(prefixPolicy('arn:aws:s3:::pgcluster-orders-0123456789', '/pgcluster/orders')),
    );
    assert.equal(
      only(resources, 'aws:iam/userPolicyAttachment:UserPolicyAttachment').inputs.policyArn,
      'arn:aws:iam::123456789012:policy/orders-archive-access',
    );
    only(resources, 'aws:iam/accessKey:AccessKey');

    const local = only(resources, 'pulumi-nodejs:dynamic/pgcluster:LocalCluster');
    assert.equal((local.inputs.spec as Obj).backup.s3.bucket, 'pgcluster-orders-0123456789');
    assert.ok(isSecretValue(local.raw.backupInputs), 'the key reaches the cluster as a secret');
    assert.deepEqual((local.inputs.backupInputs as Obj).secrets.s3, {
      accessKeyId: 'orders-archive-key-id',
      secretAccessKey: 'secret-of-orders-archive-key',
    });
  });

  test('GIVEN a KMS key WHEN the bucket is created THEN aws:kms with that key and a bucket key', async () => {
    const resources = await build({ ...LOCAL, backup: { s3: { kmsKeyId: 'alias/pgc' }, schedule: {} } });
    assert.deepEqual(
      only(
        resources,
        'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
      ).inputs.rules,
      [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'alias/pgc' },
          bucketKeyEnabled: true,
        },
      ],
    );
  });

  test('GIVEN a bucket named by the spec WHEN constructed THEN no AWS resource, and the bucket is used as it is', async () => {
    const resources = await build({
      ...LOCAL,
      backup: {
        s3: {
          bucket: 'given-bucket',
          credentials: { accessKeyId: { fromEnv: 'HOME' }, secretAccessKey: { fromEnv: 'HOME' } },
        },
        schedule: {},
      },
    });
    assert.deepEqual(
      resources.filter((r) => r.type.startsWith('aws:')),
      [],
    );
    assert.equal(
      (only(resources, 'pulumi-nodejs:dynamic/pgcluster:LocalCluster').inputs.spec as Obj).backup.s3.bucket,
      'given-bucket',
    );
  });

  test('GIVEN the prefix policy THEN it lists only the prefix and touches objects only under it', () => {
    const p = JSON.parse(prefixPolicy('arn:aws:s3:::b', '/pgcluster/orders/')) as Obj;
    const list = p.Statement.find((s: Obj) => s.Sid === 'ListPrefix');
    assert.deepEqual(list.Condition, {
      StringLike: { 's3:prefix': ['pgcluster/orders', 'pgcluster/orders/*'] },
    });
    const objects = p.Statement.find((s: Obj) => s.Sid === 'ObjectsUnderPrefix');
    assert.deepEqual(objects.Resource, ['arn:aws:s3:::b/pgcluster/orders/*']);
    assert.deepEqual(objects.Action, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']);
    assert.ok(!JSON.stringify(p).includes('s3:*'));
  });

  test("GIVEN IRSA WHEN the identity is made THEN a role only the pods' service account may assume, with the prefix policy, and no static key", async () => {
    const { resources } = setupMocks();
    const spec = parseSpec({
      name: 'orders',
      platform: { kubernetes: { namespace: 'db' } },
      backup: {
        s3: {
          irsa: {
            oidcProviderArn:
              'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC',
            oidcProviderUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC',
          },
        },
      },
    });
    const parent = new pulumi.ComponentResource('test:index:Parent', 'p');
    const identity = createArchiveIdentity(parent, 'orders', {
      cluster: 'orders',
      prefix: '/pgcluster/orders',
      s3: spec.backup!.s3,
      serviceAccounts: [
        { namespace: 'db', name: 'orders' },
        { namespace: 'db', name: 'orders-backup' },
      ],
    });
    assert.equal(await valueOf(identity.roleArn!), 'arn:aws:iam::123456789012:role/orders-archive-role');
    await settle(resources);
    const trust = JSON.parse(only(resources, 'aws:iam/role:Role').inputs.assumeRolePolicy as string) as Obj;
    assert.deepEqual(trust.Statement[0].Principal, {
      Federated: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC',
    });
    assert.deepEqual(trust.Statement[0].Condition.StringEquals, {
      'oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub': [
        'system:serviceaccount:db:orders',
        'system:serviceaccount:db:orders-backup',
      ],
      'oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud': 'sts.amazonaws.com',
    });
    assert.equal(
      only(resources, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment').inputs.policyArn,
      'arn:aws:iam::123456789012:policy/orders-archive-access',
    );
    assert.deepEqual(
      resources.filter((r) => r.type === 'aws:iam/accessKey:AccessKey' || r.type === 'aws:iam/user:User'),
      [],
    );
    only(resources, 'aws:s3/bucket:Bucket');
  });
});
