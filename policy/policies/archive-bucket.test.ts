import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { archiveBucket } from './archive-bucket';
import { unknownValues, checkStack, urnOf, type FakeResource } from '../../test/helpers/policy-args';

const { unknownObjectValue, unknownStringValue } = unknownValues;

const V6 = {
  bucket: 'aws:s3/bucketV2:BucketV2',
  encryption: 'aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2',
  versioning: 'aws:s3/bucketVersioningV2:BucketVersioningV2',
  block: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
};
const V7 = {
  bucket: 'aws:s3/bucket:Bucket',
  encryption: 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
  versioning: 'aws:s3/bucketVersioning:BucketVersioning',
  block: V6.block,
};
const BLOCK_ALL = {
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
};

function cluster(backup: unknown, extra: Partial<FakeResource> = {}): FakeResource {
  const spec = {
    name: 'orders',
    instances: 3,
    pooler: { enabled: true },
    roles: [],
    ...(backup ? { backup } : {}),
  };
  return {
    type: 'pulumi-nodejs:dynamic/pgcluster:LocalCluster',
    name: 'orders-local',
    props: { spec },
    ...extra,
  };
}

/** A bucket named `name` (logical and S3 name) with the settings asked for. */
function bucket(
  name: string,
  settings: {
    encrypted?: boolean;
    versioning?: string;
    block?: object;
    tags?: object;
    tokens?: typeof V6;
    byDependency?: boolean;
  } = {},
): FakeResource[] {
  const t = settings.tokens ?? V6;
  const b: FakeResource = {
    type: t.bucket,
    name,
    props: { bucket: name, ...(settings.tags ? { tags: settings.tags } : {}) },
  };
  const ref = settings.byDependency
    ? { props: { bucket: unknownStringValue }, propertyDependencies: { bucket: [urnOf(b)] } }
    : { props: { bucket: name } };
  const setting = (type: string, suffix: string, props: object): FakeResource => ({
    type,
    name: `${name}-${suffix}`,
    props: { ...ref.props, ...props },
    ...(ref.propertyDependencies ? { propertyDependencies: ref.propertyDependencies } : {}),
  });
  return [
    b,
    ...(settings.encrypted
      ? [
          setting(t.encryption, 'sse', {
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }],
          }),
        ]
      : []),
    ...(settings.versioning
      ? [setting(t.versioning, 'versioning', { versioningConfiguration: { status: settings.versioning } })]
      : []),
    ...(settings.block ? [setting(t.block, 'block', settings.block)] : []),
  ];
}

const COMPLIANT = { encrypted: true, versioning: 'Enabled', block: BLOCK_ALL };
const REFERENCED = { s3: { bucket: 'pg-archive' }, retention: 2 };
const messages = async (resources: FakeResource[], config: object = {}) =>
  (await checkStack(archiveBucket, resources, config)).map((v) => v.message);

describe('policy pgcluster-archive-bucket', () => {
  test('GIVEN the bucket a cluster names, encrypted, versioned and blocked, and an unrelated bare bucket WHEN checked THEN no violation', async () => {
    assert.deepEqual(
      await messages([cluster(REFERENCED), ...bucket('pg-archive', COMPLIANT), ...bucket('static-site')]),
      [],
    );
  });

  test('GIVEN the named bucket with no settings WHEN checked THEN encryption, versioning and public access are each refused on the bucket', async () => {
    const violations = await checkStack(archiveBucket, [cluster(REFERENCED), ...bucket('pg-archive')]);
    const label =
      'S3 bucket "pg-archive" (aws:s3/bucketV2:BucketV2 pg-archive), the backup archive of PostgresCluster orders: ';
    assert.deepEqual(
      violations.map((v) => v.message),
      [
        `${label}default encryption is not set (no BucketServerSideEncryptionConfiguration for it); required: one whose rules set applyServerSideEncryptionByDefault.sseAlgorithm (AES256 or aws:kms).`,
        `${label}versioning is not set (no BucketVersioning for it); required: a BucketVersioning with versioningConfiguration.status "Enabled".`,
        `${label}public access is not blocked (no BucketPublicAccessBlock for it); required: one with blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets all true.`,
      ],
    );
    assert.ok(violations.every((v) => v.urn === urnOf({ type: V6.bucket, name: 'pg-archive' })));
  });

  test('GIVEN versioning Suspended and one public-access flag false WHEN checked THEN the values are named', async () => {
    const resources = [
      cluster(REFERENCED),
      ...bucket('pg-archive', {
        encrypted: true,
        versioning: 'Suspended',
        block: { ...BLOCK_ALL, restrictPublicBuckets: false },
      }),
    ];
    const found = await messages(resources);
    assert.equal(found.length, 2, found.join('\n'));
    assert.match(
      found[0] as string,
      /versioningConfiguration\.status is "Suspended"; required: "Enabled"\.$/,
    );
    assert.match(
      found[1] as string,
      /its BucketPublicAccessBlock has restrictPublicBuckets is false; required: .* all true\.$/,
    );
  });

  test('GIVEN preview, where settings name the bucket by its still-unknown id WHEN checked THEN they are linked by property dependency', async () => {
    assert.deepEqual(
      await messages([cluster(REFERENCED), ...bucket('pg-archive', { ...COMPLIANT, byDependency: true })]),
      [],
    );
  });

  test('GIVEN settings for another bucket only WHEN the named bucket is checked THEN they do not count', async () => {
    const other = bucket('other', COMPLIANT).slice(1);
    assert.equal((await messages([cluster(REFERENCED), ...bucket('pg-archive'), ...other])).length, 3);
  });

  test('GIVEN no cluster names a bucket WHEN checked THEN buckets tagged pgcluster are checked and untagged ones are not', async () => {
    const found = await messages([
      cluster(undefined),
      ...bucket('tagged', { tags: { pgcluster: 'orders' } }),
      ...bucket('plain'),
    ]);
    assert.equal(found.length, 3);
    assert.ok(
      found.every((m) =>
        m.startsWith('S3 bucket "tagged" (aws:s3/bucketV2:BucketV2 tagged), tagged pgcluster: '),
      ),
    );
  });

  test('GIVEN tagKey "wal-archive" in the config WHEN checked THEN that tag selects the buckets', async () => {
    const resources = [
      ...bucket('a', { tags: { pgcluster: 'x' } }),
      ...bucket('b', { tags: { 'wal-archive': '' } }),
    ];
    const found = await messages(resources, { tagKey: 'wal-archive' });
    assert.equal(found.length, 3);
    assert.ok(found.every((m) => m.includes('"b"')));
  });

  test('GIVEN a cluster names its bucket WHEN a non-compliant tagged bucket also exists THEN only the named bucket is checked', async () => {
    const resources = [
      cluster(REFERENCED),
      ...bucket('pg-archive', COMPLIANT),
      ...bucket('tagged', { tags: { pgcluster: '' } }),
    ];
    assert.deepEqual(await messages(resources), []);
  });

  test('GIVEN a cluster spec unknown in preview WHEN its spec came from a bucket THEN that bucket is the one checked', async () => {
    const archive = bucket('pg-archive');
    const unknownSpec = cluster(undefined, {
      props: { spec: unknownObjectValue },
      propertyDependencies: { spec: [urnOf(archive[0] as FakeResource)] },
    });
    const found = await messages([unknownSpec, ...archive, ...bucket('plain')]);
    assert.equal(found.length, 3);
    assert.ok(
      found.every(
        (m) => m.includes('"pg-archive"') && m.includes('the backup archive of PostgresCluster orders-local'),
      ),
    );
  });

  test('GIVEN @pulumi/aws v7 type tokens WHEN the named bucket is compliant, then bare THEN 0, then 3 violations', async () => {
    assert.deepEqual(
      await messages([cluster(REFERENCED), ...bucket('pg-archive', { ...COMPLIANT, tokens: V7 })]),
      [],
    );
    assert.equal((await messages([cluster(REFERENCED), ...bucket('pg-archive', { tokens: V7 })])).length, 3);
  });

  test('GIVEN no cluster and no tagged bucket WHEN checked THEN nothing is reported', async () => {
    assert.deepEqual(await messages([...bucket('plain')]), []);
  });
});
