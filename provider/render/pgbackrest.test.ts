import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseIni } from 'ini';
import YAML from 'yaml';
import {
  archiveCommand,
  renderPgbackrestConf,
  renderRestoreConf,
  repoPath,
  restoreCommand,
} from './pgbackrest';
import { buildPatroniConfig, pgbackrestTime, recoveryParameters, restoreTypeArgs } from './patroni';
import { renderParameters } from './parameters';
import { parseSpec } from '../spec';
import { patroniContext } from '../../test/helpers/render-context';
import { matchSnapshot } from '../../test/helpers/snapshot';

const s3 = {
  bucket: 'pgc-backups',
  endpoint: '127.0.0.1:9000',
  uriStyle: 'path',
  caFile: 'ca.pem',
  credentials: { accessKeyId: { fromEnv: 'K' }, secretAccessKey: { fromEnv: 'S' } },
};
const spec = parseSpec({ name: 'orders', backup: { s3, retention: { days: 14 }, compression: 'zstd' } });
const keys = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret/with=chars' };
const hosts = [1, 2, 3].map((n) => ({
  path: `/srv/orders/members/orders-${n}/data`,
  port: 15410 + n,
  socketPath: `/srv/orders/members/orders-${n}/run`,
}));
const ctx = {
  stanza: 'orders',
  repo: {
    s3: spec.backup!.s3,
    path: repoPath(spec.backup!.s3, 'orders'),
    keys,
    caFile: '/srv/orders/pgbackrest/ca.pem',
  },
  pg: [hosts[1]!, hosts[0]!, hosts[2]!],
  spoolPath: '/srv/orders/members/orders-2/pgbackrest-spool',
  logPath: '/srv/orders/pgbackrest/log',
  lockPath: '/srv/orders/members/orders-2/pgbackrest-lock',
};

describe('pgbackrest.conf', () => {
  test('GIVEN member orders-2 of a 3-member cluster with an S3 archive WHEN rendered THEN it matches the snapshot', () => {
    matchSnapshot('pgbackrest-orders-2.conf', renderPgbackrestConf(spec.backup!, ctx));
  });

  test('GIVEN the file WHEN read back as INI THEN pg1 is this member, the others follow, and the repository options are set', () => {
    const ini = parseIni(renderPgbackrestConf(spec.backup!, ctx)) as Record<string, Record<string, string>>;
    assert.equal(ini.orders!['pg1-path'], hosts[1]!.path, 'pg1 is the member the file belongs to');
    assert.equal(ini.orders!['pg2-port'], String(hosts[0]!.port));
    assert.equal(ini.orders!['pg3-socket-path'], hosts[2]!.socketPath);
    const g = ini.global!;
    assert.equal(g['repo1-s3-endpoint'], '127.0.0.1');
    assert.equal(g['repo1-storage-port'], '9000');
    assert.equal(g['repo1-s3-key-secret'], keys.secretAccessKey);
    assert.equal(g['repo1-retention-full-type'], 'time');
    assert.equal(g['repo1-retention-full'], '14');
    assert.equal(g['compress-type'], 'zst');
    assert.equal(g['backup-standby'], 'y');
    assert.equal(g['archive-async'], 'y');
    assert.equal(g['repo1-path'], '/pgcluster/orders');
    assert.equal(g['archive-push-queue-max'], undefined, 'WAL is never dropped when the repository is down');
  });

  test('GIVEN one member or fromStandby false WHEN rendered THEN backups run on the primary', () => {
    const ini = (text: string) => (parseIni(text) as Record<string, Record<string, string>>).global!;
    assert.equal(
      ini(renderPgbackrestConf(spec.backup!, { ...ctx, pg: [hosts[0]!] }))['backup-standby'],
      undefined,
    );
    const primaryOnly = parseSpec({ name: 'orders', backup: { s3, fromStandby: false } }).backup!;
    assert.equal(ini(renderPgbackrestConf(primaryOnly, ctx))['backup-standby'], undefined);
  });

  test('GIVEN an encrypted repository on AWS without keys WHEN rendered THEN aes-256-cbc, the passphrase, the region endpoint and the instance identity', () => {
    const aws = parseSpec({
      name: 'orders',
      platform: { kubernetes: {} },
      backup: { s3: { bucket: 'b-1', region: 'eu-west-1' } },
    });
    const text = renderPgbackrestConf(aws.backup!, {
      ...ctx,
      repo: { s3: aws.backup!.s3, path: '/pgcluster/orders', passphrase: 'p' },
    });
    const g = (parseIni(text) as Record<string, Record<string, string>>).global!;
    assert.equal(g['repo1-s3-endpoint'], 's3.eu-west-1.amazonaws.com');
    assert.equal(g['repo1-s3-key-type'], 'auto');
    assert.equal(g['repo1-s3-key'], undefined);
    assert.equal(g['repo1-cipher-type'], 'aes-256-cbc');
    assert.equal(g['repo1-cipher-pass'], 'p');
  });

  test('GIVEN the restore configuration WHEN rendered THEN it reads only the source repository into this member', () => {
    const text = renderRestoreConf({ ...ctx, stanza: 'old' }, 3);
    const ini = parseIni(text) as Record<string, Record<string, string>>;
    assert.deepEqual(Object.keys(ini).sort(), ['global', 'old']);
    assert.equal(ini.old!['pg1-path'], hosts[1]!.path);
    assert.equal(ini.old!['pg2-path'], undefined);
    assert.equal(ini.global!['archive-async'], undefined);
    assert.equal(ini.global!['repo1-retention-full'], undefined, 'a restore never expires anything');
  });
});

describe('the archive in Patroni and PostgreSQL', () => {
  test('GIVEN ISO times with zones WHEN given to pgBackRest THEN its own format, in UTC, milliseconds rounded down', () => {
    assert.equal(pgbackrestTime('2026-12-01T11:32:41.521201Z'), '2026-12-01 11:32:41.521+00');
    assert.equal(pgbackrestTime('2026-12-01 12:32:41+01:00'), '2026-12-01 11:32:41.000+00');
  });

  test('GIVEN backup WHEN parameters are rendered THEN archive_mode on and archive-push of this stanza; without it, off', () => {
    const p = renderParameters(spec);
    assert.equal(p.archive_mode, 'on');
    assert.equal(p.archive_command, archiveCommand('orders'));
    assert.equal(archiveCommand('orders'), 'pgbackrest --stanza=orders archive-push "%p"');
    const none = renderParameters(parseSpec({ name: 'orders' }));
    assert.equal(none.archive_mode, 'off');
    assert.equal(none.archive_command, undefined);
  });

  test('GIVEN backup WHEN patroni.yml is built THEN replicas come from pgBackRest first, then a base backup, and read WAL from the archive', () => {
    const cfg = buildPatroniConfig(spec, patroniContext({ cluster: 'orders', slot: 1 })) as {
      postgresql: Record<string, unknown>;
    };
    assert.deepEqual(cfg.postgresql.create_replica_methods, ['pgbackrest', 'basebackup']);
    assert.deepEqual(cfg.postgresql.pgbackrest, {
      command: 'pgbackrest --stanza=orders --delta restore',
      keep_data: true,
      no_params: true,
    });
    assert.deepEqual(cfg.postgresql.recovery_conf, { restore_command: restoreCommand('orders') });
  });

  const targets: Array<[object, string[], Record<string, string>]> = [
    [{}, ['--type=default'], {}],
    [
      { time: '2026-12-01T10:00:00Z' },
      ['--type=time', '"--target=2026-12-01 10:00:00.000+00"'],
      { recovery_target_time: '2026-12-01 10:00:00+00', recovery_target_inclusive: 'on' },
    ],
    [
      { lsn: '0/3000060', exclusive: true },
      ['--type=lsn', '--target=0/3000060'],
      { recovery_target_lsn: '0/3000060', recovery_target_inclusive: 'off' },
    ],
    [
      { xid: '742' },
      ['--type=xid', '--target=742'],
      { recovery_target_xid: '742', recovery_target_inclusive: 'on' },
    ],
    [
      { name: 'before migration' },
      ['--type=name', '"--target=before migration"'],
      { recovery_target_name: 'before migration' },
    ],
    [{ immediate: true }, ['--type=immediate'], { recovery_target: 'immediate' }],
  ];
  for (const [target, args, params] of targets)
    test(`GIVEN recovery target ${JSON.stringify(target)} WHEN rendered THEN pgbackrest ${args.join(' ')} and the matching recovery parameters`, () => {
      const r = parseSpec({ name: 'n', bootstrap: { recovery: { source: { cluster: 'orders' }, target } } })
        .bootstrap.recovery!;
      assert.deepEqual(restoreTypeArgs(r.target), args);
      assert.deepEqual(recoveryParameters(r.target, 'rc'), {
        restore_command: 'rc',
        recovery_target_action: 'promote',
        recovery_target_timeline: 'latest',
        ...params,
      });
    });

  test('GIVEN a recovery WHEN patroni.yml is built THEN a custom bootstrap restores from the source repository with its own configuration', () => {
    const restored = parseSpec({
      name: 'n',
      bootstrap: { recovery: { source: { cluster: 'orders' }, target: { name: 'p1' } } },
    });
    const ctx1 = {
      ...patroniContext({ cluster: 'n', slot: 1 }),
      bootstrap: { restoreConfig: '/srv/n/restore.conf' },
    };
    const yml = YAML.stringify(buildPatroniConfig(restored, ctx1));
    const boot = (YAML.parse(yml) as { bootstrap: Record<string, unknown> }).bootstrap;
    assert.equal(boot.method, 'pgcluster_restore');
    assert.equal(boot.initdb, undefined);
    assert.deepEqual(boot.pgcluster_restore, {
      command:
        'pgbackrest --config=/srv/n/restore.conf --stanza=orders --delta restore --type=name "--target=p1"',
      no_params: true,
      recovery_conf: {
        recovery_target_action: 'promote',
        recovery_target_name: 'p1',
        recovery_target_timeline: 'latest',
        restore_command: 'pgbackrest --config=/srv/n/restore.conf --stanza=orders archive-get %f "%p"',
      },
    });
  });
});
