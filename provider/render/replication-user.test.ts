import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec } from '../spec';
import { renderPgHba } from './pghba';
import { buildPatroniConfig } from './patroni';
import { replicationHbaUsers, replicationUser } from './replication-user';
import { patroniContext } from '../../test/helpers/render-context';
import { dedicatedReplicationRole } from '../naming';

const replicaOf = (name: string, source: string, primary = source) =>
  parseSpec({ name, replica: { source: { cluster: source }, primary } });

describe('the replication role of a replica group', () => {
  test('GIVEN a replica cluster of a cluster of the state dir WHEN rendered THEN its members replicate as its own role, and Patroni logs in as it', () => {
    const spec = replicaOf('site-b', 'site-a');
    assert.equal(replicationUser(spec), 'site_b_replication');
    const config = buildPatroniConfig(spec, patroniContext({ cluster: 'site-b', slot: 1 })) as {
      postgresql: { authentication: { replication: { username: string } } };
    };
    assert.equal(config.postgresql.authentication.replication.username, 'site_b_replication');
  });

  test('GIVEN the group primary WHEN its pg_hba is rendered THEN replication admits its own role, its peer`s, the group, and replicator (clusters of an earlier version)', () => {
    const spec = replicaOf('site-a', 'site-b', 'site-a');
    assert.deepEqual(replicationHbaUsers(spec), [
      'site_a_replication',
      'site_b_replication',
      'replicator',
      '+pgcluster_replication',
    ]);
    const replication = renderPgHba(spec, ['10.246.0.0/16']).filter((l) => / replication /.test(l));
    assert.deepEqual(replication, [
      'hostssl replication site_a_replication 10.246.0.0/16 cert',
      'hostssl replication site_b_replication 10.246.0.0/16 cert',
      'hostssl replication replicator 10.246.0.0/16 cert',
      'hostssl replication +pgcluster_replication 10.246.0.0/16 cert',
    ]);
  });

  test('GIVEN a plain cluster WHEN rendered THEN it keeps replicator, and admits the dedicated roles of replica clusters through the group', () => {
    const spec = parseSpec({ name: 'site-a', tls: { enabled: false } });
    assert.equal(replicationUser(spec), 'replicator');
    assert.deepEqual(
      renderPgHba(spec, ['127.0.0.0/8']).filter((l) => / replication /.test(l)),
      [
        'host replication replicator 127.0.0.0/8 scram-sha-256',
        'host replication +pgcluster_replication 127.0.0.0/8 scram-sha-256',
      ],
    );
  });

  test('GIVEN an external source WHEN rendered THEN the members replicate as source.user', () => {
    const spec = parseSpec({
      name: 'site-b',
      replica: {
        source: {
          host: 'db.example.com',
          user: 'standby_feed',
          password: { fromEnv: 'FEED_PW' },
        },
      },
      tls: { clientAuth: { replication: 'password' } },
    });
    assert.equal(replicationUser(spec), 'standby_feed');
    assert.deepEqual(replicationHbaUsers(spec), ['standby_feed', '+pgcluster_replication']);
  });

  test('GIVEN the longest cluster name WHEN its dedicated role is named THEN it fits PostgreSQL`s 63 bytes', () => {
    const name = `a${'-b'.repeat(24)}c`;
    assert.equal(name.length, 50);
    assert.ok(dedicatedReplicationRole(name).length <= 63);
    assert.equal(dedicatedReplicationRole('a-b'), 'a_b_replication');
  });
});
