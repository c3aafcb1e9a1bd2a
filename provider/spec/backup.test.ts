import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec } from './parse';
import { appOf } from './bootstrap';
import { assertIssue, issuesOf } from '../../test/helpers/spec-issues';

const keys = { accessKeyId: { fromEnv: 'S3_KEY' }, secretAccessKey: { fromFile: 's3.secret' } };
const s3 = { bucket: 'pgc-backups', endpoint: '127.0.0.1:9000', uriStyle: 'path', credentials: keys };
const base = { name: 'orders', backup: { s3 } };

describe('backup: defaults', () => {
  test('GIVEN only s3 WHEN parsed THEN weekly full, daily diff, 2 fulls kept, lz4, from a standby, async archiving', () => {
    const spec = parseSpec(base);
    assert.deepEqual(spec.backup, {
      s3: { ...s3, region: 'us-east-1', verifyTls: true },
      schedule: { full: '0 1 * * 0', diff: '0 1 * * 1-6' },
      retention: { full: 2 },
      compression: 'lz4',
      processMax: 2,
      fromStandby: true,
      archiveAsync: true,
    });
  });

  test('GIVEN each bootstrap method WHEN parsed THEN the application database and owner default to app', () => {
    for (const bootstrap of [
      { initdb: {} },
      { pgBasebackup: { source: { host: 'db.internal' } } },
      { recovery: { source: { cluster: 'old' } } },
    ])
      assert.deepEqual(appOf(parseSpec({ name: 'orders', bootstrap }).bootstrap), {
        owner: 'app',
        database: 'app',
      });
    const clone = parseSpec({
      name: 'c',
      bootstrap: { pgBasebackup: { source: { host: 'h' }, owner: 'shop' } },
    });
    assert.deepEqual(clone.bootstrap.pgBasebackup?.source, {
      host: 'h',
      port: 5432,
      user: 'postgres',
      sslMode: 'prefer',
      database: 'postgres',
    });
    assert.equal(appOf(clone.bootstrap).owner, 'shop');
  });
});

const ACCEPTED: ReadonlyArray<{ given: string; input: object }> = [
  { given: 'no schedule at all', input: { ...base, backup: { s3, schedule: {} } } },
  {
    given: 'a 6-field cron with seconds',
    input: { ...base, backup: { s3, schedule: { incr: '30 */15 * * * *' } } },
  },
  { given: 'retention by days', input: { ...base, backup: { s3, retention: { days: 14 } } } },
  {
    given: 'kubernetes without credentials (IRSA)',
    input: { name: 'k', platform: { kubernetes: {} }, backup: { s3: { bucket: 'b-1' } } },
  },
  {
    given: 'the component creating the bucket (no bucket)',
    input: { name: 'k', platform: { kubernetes: {} }, backup: { s3: {} } },
  },
  {
    given: 'kubernetes CronJob schedules with ranges, steps, lists, names and a macro',
    input: {
      name: 'k',
      platform: { kubernetes: {} },
      backup: {
        s3: { bucket: 'b-1' },
        schedule: { full: '@weekly', diff: '*/30 1-5 * JAN-DEC MON,WED', incr: '0 */2 * * *' },
      },
    },
  },
  {
    given: 'encryption from a file',
    input: { ...base, backup: { s3, encryption: { passphrase: { fromFile: '/run/pass' } } } },
  },
  ...(['2026-12-01T10:00:00Z', '2026-12-01 10:00:00.123+01:00'] as const).map((time) => ({
    given: `a recovery to ${time}`,
    input: { name: 'n', bootstrap: { recovery: { source: { cluster: 'old' }, target: { time } } } },
  })),
  {
    given: 'a recovery to an LSN, exclusive',
    input: {
      name: 'n',
      bootstrap: { recovery: { source: { cluster: 'old' }, target: { lsn: '0/3000060', exclusive: true } } },
    },
  },
  {
    given: 'a recovery to a named point',
    input: {
      name: 'n',
      bootstrap: { recovery: { source: { cluster: 'old' }, target: { name: 'before-migration' } } },
    },
  },
  {
    given: 'a recovery to immediate from s3',
    input: {
      name: 'n',
      bootstrap: { recovery: { source: { s3, stanza: 'orders' }, target: { immediate: true } } },
    },
  },
  {
    given: 'a restored cluster archiving to another path of the same bucket',
    input: { name: 'n', backup: { s3 }, bootstrap: { recovery: { source: { s3, stanza: 'orders' } } } },
  },
  {
    given: 'a clone with a password file',
    input: {
      name: 'n',
      bootstrap: {
        pgBasebackup: { source: { host: '10.0.0.5', password: { fromFile: 'pw' }, sslMode: 'require' } },
      },
    },
  },
];

const REFUSED: ReadonlyArray<{ given: string; input: object; path: string; says: string[] }> = [
  {
    given: 'a 6-field cron on kubernetes',
    input: {
      name: 'k',
      platform: { kubernetes: {} },
      backup: { s3: { bucket: 'b-1' }, schedule: { incr: '30 */15 * * * *' } },
    },
    path: 'backup.schedule.incr',
    says: ['"30 */15 * * * *" is not allowed', 'a Kubernetes CronJob takes 5 fields', 'not 6'],
  },
  {
    given: "croner's last-day-of-month on kubernetes",
    input: {
      name: 'k',
      platform: { kubernetes: {} },
      backup: { s3: { bucket: 'b-1' }, schedule: { full: '0 1 L * *' } },
    },
    path: 'backup.schedule.full',
    says: ['"L" is not a CronJob field'],
  },
  {
    given: 'backup with platform.kubernetes.endpoint',
    input: {
      name: 'k',
      platform: {
        kubernetes: { endpoint: { host: 'db.example', port: 5432, patroniUrls: ['http://db.example:8008'] } },
      },
      backup: { s3: { bucket: 'b-1' } },
    },
    path: 'platform.kubernetes.endpoint',
    says: ['cannot be used with backup', 'through the Kubernetes API'],
  },
  {
    given: 'a bad cron minute',
    input: { ...base, backup: { s3, schedule: { full: '61 1 * * 0' } } },
    path: 'backup.schedule.full',
    says: ['"61 1 * * 0" is not allowed', 'minute'],
  },
  {
    given: 'a cron with 4 fields',
    input: { ...base, backup: { s3, schedule: { diff: '0 1 * *' } } },
    path: 'backup.schedule.diff',
    says: ['not a cron expression'],
  },
  {
    given: 'both retention kinds',
    input: { ...base, backup: { s3, retention: { full: 2, days: 7 } } },
    path: 'backup.retention',
    says: ['exactly one of full'],
  },
  {
    given: 'an uppercase bucket',
    input: { ...base, backup: { s3: { ...s3, bucket: 'Backups' } } },
    path: 'backup.s3.bucket',
    says: ['"Backups" is not allowed', 'S3 bucket name'],
  },
  {
    given: 'a relative key prefix',
    input: { ...base, backup: { s3: { ...s3, path: 'pg/orders' } } },
    path: 'backup.s3.path',
    says: ['absolute key prefix'],
  },
  {
    given: 'a prefix with ..',
    input: { ...base, backup: { s3: { ...s3, path: '/pg/../x' } } },
    path: 'backup.s3.path',
    says: ['"/pg/../x" is not allowed'],
  },
  {
    given: 'an endpoint with a scheme',
    input: { ...base, backup: { s3: { ...s3, endpoint: 'https://s3.local' } } },
    path: 'backup.s3.endpoint',
    says: ['without a scheme'],
  },
  {
    given: 'a credential with both sources',
    input: {
      ...base,
      backup: { s3: { ...s3, credentials: { ...keys, accessKeyId: { fromEnv: 'A', fromFile: 'b' } } } },
    },
    path: 'backup.s3.credentials.accessKeyId',
    says: ['exactly one of fromEnv, fromFile'],
  },
  {
    given: 'a bad environment variable name',
    input: {
      ...base,
      backup: { s3: { ...s3, credentials: { ...keys, secretAccessKey: { fromEnv: 'MY-KEY' } } } },
    },
    path: 'backup.s3.credentials.secretAccessKey.fromEnv',
    says: ['environment variable name'],
  },
  {
    given: 'an unknown compression',
    input: { ...base, backup: { s3, compression: 'xz' } },
    path: 'backup.compression',
    says: ['"xz" is not allowed', '"lz4"'],
  },
  {
    given: 'processMax 0',
    input: { ...base, backup: { s3, processMax: 0 } },
    path: 'backup.processMax',
    says: ['>= 1'],
  },
  {
    given: 'an unknown backup key',
    input: { ...base, backup: { s3, retain: 3 } },
    path: 'backup.retain',
    says: ['unknown key'],
  },
  {
    given: 'a recovery with two targets',
    input: {
      name: 'n',
      bootstrap: {
        recovery: { source: { cluster: 'old' }, target: { time: '2026-12-01T10:00:00Z', immediate: true } },
      },
    },
    path: 'bootstrap.recovery.target',
    says: ['at most one of time, lsn, xid, name, immediate', 'got time, immediate'],
  },
  {
    given: 'a time without a zone',
    input: {
      name: 'n',
      bootstrap: { recovery: { source: { cluster: 'old' }, target: { time: '2026-12-01 10:00:00' } } },
    },
    path: 'bootstrap.recovery.target.time',
    says: ['with a time zone'],
  },
  {
    given: 'a malformed LSN',
    input: { name: 'n', bootstrap: { recovery: { source: { cluster: 'old' }, target: { lsn: '3000060' } } } },
    path: 'bootstrap.recovery.target.lsn',
    says: ['WAL position'],
  },
  {
    given: 'a negative xid',
    input: { name: 'n', bootstrap: { recovery: { source: { cluster: 'old' }, target: { xid: '-4' } } } },
    path: 'bootstrap.recovery.target.xid',
    says: ['transaction id'],
  },
  {
    given: 'exclusive with a name',
    input: {
      name: 'n',
      bootstrap: { recovery: { source: { cluster: 'old' }, target: { name: 'p', exclusive: true } } },
    },
    path: 'bootstrap.recovery.target.exclusive',
    says: ['time, lsn or xid target only'],
  },
  {
    given: 'a recovery from itself',
    input: { name: 'n', bootstrap: { recovery: { source: { cluster: 'n' } } } },
    path: 'bootstrap.recovery.source.cluster',
    says: ['its own archive'],
  },
  {
    given: 'a recovery source with cluster and s3',
    input: { name: 'n', bootstrap: { recovery: { source: { cluster: 'o', s3, stanza: 'o' } } } },
    path: 'bootstrap.recovery.source',
    says: ['exactly one of cluster'],
  },
  {
    given: 'an s3 source without a stanza',
    input: { name: 'n', bootstrap: { recovery: { source: { s3 } } } },
    path: 'bootstrap.recovery.source.stanza',
    says: ['required with s3'],
  },
  {
    given: 'an s3 source without a bucket',
    input: { name: 'n', bootstrap: { recovery: { source: { s3: { endpoint: 'x' }, stanza: 'o' } } } },
    path: 'bootstrap.recovery.source.s3.bucket',
    says: ['is required here'],
  },
  {
    given: 'a bad backup label',
    input: { name: 'n', bootstrap: { recovery: { source: { cluster: 'o' }, backupSet: 'latest' } } },
    path: 'bootstrap.recovery.backupSet',
    says: ['backup label'],
  },
  {
    given: 'a restored cluster archiving into the repository it restores from',
    input: {
      name: 'n',
      backup: { s3: { ...s3, path: '/pgcluster/orders' } },
      bootstrap: { recovery: { source: { s3, stanza: 'orders' } } },
    },
    path: 'backup.s3.path',
    says: ['"/pgcluster/orders" is not allowed', 'archives to its own path'],
  },
  {
    given: 'a clone source with a URL for a host',
    input: { name: 'n', bootstrap: { pgBasebackup: { source: { host: 'postgres://x' } } } },
    path: 'bootstrap.pgBasebackup.source.host',
    says: ['host name or address'],
  },
  {
    given: 'an unknown sslMode',
    input: { name: 'n', bootstrap: { pgBasebackup: { source: { host: 'h', sslMode: 'on' } } } },
    path: 'bootstrap.pgBasebackup.source.sslMode',
    says: ['"on" is not allowed', '"verify-full"'],
  },
];

describe('backup and bootstrap rules', () => {
  for (const { given, input } of ACCEPTED)
    test(`GIVEN ${given} WHEN parsed THEN accepted`, () => {
      assert.doesNotThrow(() => parseSpec(input));
    });
  for (const { given, input, path, says } of REFUSED)
    test(`GIVEN ${given} WHEN parsed THEN ${path} is refused`, () => {
      assertIssue(
        issuesOf(() => parseSpec(input)),
        path,
        says,
      );
    });
});
