import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { postmasterOptions, targetSettings } from './target-promotion';

describe('promotion to a time (replica.target)', () => {
  test('GIVEN postmaster.opts as PostgreSQL writes it WHEN read THEN the binary and each quoted argument come back', () => {
    const opts = postmasterOptions(
      '/usr/lib/postgresql/15/bin/postgres "-D" "/tmp/x/data" "--config-file=/tmp/x/data/postgresql.conf" "--listen_addresses=127.0.0.1" "--port=24813" "--cluster_name=site \\"b\\""\n',
    );
    assert.equal(opts.binary, '/usr/lib/postgresql/15/bin/postgres');
    assert.deepEqual(opts.args, [
      '-D',
      '/tmp/x/data',
      '--config-file=/tmp/x/data/postgresql.conf',
      '--listen_addresses=127.0.0.1',
      '--port=24813',
      '--cluster_name=site "b"',
    ]);
  });

  test('GIVEN a target WHEN its settings are made THEN they promote at the time, with no apply delay', () => {
    const args = targetSettings({ time: '2026-12-01T10:00:00Z', exclusive: true });
    assert.deepEqual(
      args.filter((a) => a !== '-c'),
      [
        'recovery_target=',
        'recovery_target_lsn=',
        'recovery_target_name=',
        'recovery_target_xid=',
        'recovery_target_time=2026-12-01 10:00:00+00',
        'recovery_target_inclusive=off',
        'recovery_target_action=promote',
        'recovery_target_timeline=latest',
        'recovery_min_apply_delay=0',
      ],
    );
  });
});
