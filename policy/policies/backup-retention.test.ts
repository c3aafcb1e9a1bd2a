import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backupProblems, backupRetention } from './backup-retention';
import { backupRequired } from './backup-required';
import { checkResource, checkResources } from '../../test/helpers/policy-args';
import { captureCluster } from '../../test/helpers/policy-capture';

function carrier(backup: unknown) {
  const spec = {
    name: 'orders',
    instances: 3,
    pooler: { enabled: true },
    roles: [],
    ...(backup === undefined ? {} : { backup }),
  };
  return { type: 'pulumi-nodejs:dynamic/pgcluster:ClusterReady', name: 'orders-ready', props: { spec } };
}

describe('policy pgcluster-backup-retention', () => {
  test('GIVEN the policies WHEN read THEN declared backups must be complete (mandatory); having backups at all is advised', () => {
    assert.equal(backupRetention.enforcementLevel, 'mandatory');
    assert.equal(backupRequired.enforcementLevel, 'advisory');
  });

  test('GIVEN a captured cluster without backup WHEN checked THEN retention has nothing to say, and backup-required names what is missing', async () => {
    const resources = await captureCluster({ platform: { kubernetes: {} } });
    assert.deepEqual(await checkResources(backupRetention, resources), []);
    assert.deepEqual(await checkResources(backupRequired, resources), [
      {
        message:
          'PostgresCluster orders: backup is not set; required: backup.s3 (the archive bucket) and backup.retention.',
        urn: undefined,
      },
    ]);
  });

  test('GIVEN a captured local cluster with backup to a named bucket WHEN checked THEN neither policy reports anything', async () => {
    const resources = await captureCluster({
      platform: { local: {} },
      backup: {
        s3: {
          bucket: 'pg-archive',
          credentials: { accessKeyId: { fromEnv: 'HOME' }, secretAccessKey: { fromEnv: 'HOME' } },
        },
      },
    });
    assert.deepEqual(await checkResources(backupRetention, resources), []);
    assert.deepEqual(await checkResources(backupRequired, resources), []);
  });

  test('GIVEN backup that lost its bucket (a transformation, an old spec) WHEN checked THEN the mandatory policy reports it', async () => {
    assert.deepEqual(await checkResource(backupRetention, carrier({ retention: { full: 2 } })), [
      {
        message:
          'PostgresCluster orders: backup.s3.bucket is not set; required: the S3 bucket of the WAL archive and backups.',
        urn: undefined,
      },
    ]);
  });

  test('GIVEN backup with a bucket and a retention WHEN checked THEN no violation', async () => {
    for (const retention of [2, '30d', { full: 2 }, { full: 0, diff: 7 }])
      assert.deepEqual(
        await checkResource(backupRetention, carrier({ s3: { bucket: 'pg-archive' }, retention })),
        [],
      );
  });

  const bad: Array<[string, unknown, RegExp[]]> = [
    [
      'no retention',
      { s3: { bucket: 'b' } },
      [/backup\.retention is not set; required: how long backups are kept/],
    ],
    ['retention 0', { s3: { bucket: 'b' }, retention: 0 }, [/backup\.retention is 0;/]],
    [
      'empty retention object',
      { s3: { bucket: 'b' }, retention: { full: 0 } },
      [/backup\.retention is \{"full":0\};/],
    ],
    ['no s3', { retention: 3 }, [/backup\.s3\.bucket is not set; required: the S3 bucket/]],
    ['empty bucket', { s3: { bucket: '' }, retention: 3 }, [/backup\.s3\.bucket is "";/]],
    ['not an object', 'daily', [/backup is "daily"; required: an object with s3 and retention/]],
  ];
  for (const [what, backup, expected] of bad)
    test(`GIVEN backup with ${what} WHEN checked THEN the field, its value and the requirement are reported`, () => {
      const problems = backupProblems(backup);
      assert.equal(problems.length, expected.length, problems.join('\n'));
      expected.forEach((re, i) => assert.match(problems[i] as string, re));
    });
});
