import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import YAML from 'yaml';
import { buildPatroniConfig, renderDynamicConfig, renderPatroniYaml } from './patroni';
import { parseSpec } from '../spec';
import { allStrings, specWithLineBreaks, validSpecInput } from '../../test/helpers/arbitraries';
import { ordersSpec, patroniContext } from '../../test/helpers/render-context';
import { matchSnapshot } from '../../test/helpers/snapshot';

const NETWORKS = ['127.0.0.0/8'];
/** Patroni parses its file with PyYAML, a YAML 1.1 parser. */
const readAsPatroni = (text: string): unknown => YAML.parse(text, { version: '1.1' });
const member2 = patroniContext({ cluster: 'orders', slot: 2 });

describe('Patroni configuration snapshots', () => {
  test('GIVEN member orders-2 of a 3-member synchronous cluster WHEN patroni.yml is rendered THEN it matches the snapshot', () => {
    matchSnapshot('patroni-orders-2', renderPatroniYaml(ordersSpec(), member2));
  });

  test('GIVEN the same cluster WHEN its dynamic configuration is rendered THEN it matches the snapshot', () => {
    matchSnapshot(
      'dynamic-config-orders',
      `${JSON.stringify(renderDynamicConfig(ordersSpec(), NETWORKS), null, 2)}\n`,
    );
  });
});

describe('Patroni configuration properties', () => {
  test('GIVEN any valid spec WHEN rendered twice THEN the text is identical', () => {
    fc.assert(
      fc.property(validSpecInput, (input) => {
        const ctx = patroniContext({ cluster: input.name, slot: 1 });
        assert.equal(renderPatroniYaml(parseSpec(input), ctx), renderPatroniYaml(parseSpec(input), ctx));
      }),
    );
  });

  test('GIVEN any valid spec WHEN patroni.yml is read back as YAML 1.1, like Patroni does, THEN it holds exactly the built configuration', () => {
    fc.assert(
      fc.property(validSpecInput, (input) => {
        const spec = parseSpec(input);
        const ctx = patroniContext({ cluster: spec.name, slot: 1 });
        assert.deepEqual(readAsPatroni(renderPatroniYaml(spec, ctx)), buildPatroniConfig(spec, ctx));
      }),
    );
  });

  test('GIVEN values YAML 1.1 would turn into booleans, numbers or dates WHEN read back as YAML 1.1 THEN they stay strings', () => {
    const tricky = {
      a_yes: 'yes',
      b_off: 'Off',
      c_sexagesimal: '1:30',
      d_date: '2024-01-01',
      e_int: '1_000',
      f_no: 'NO',
    };
    const spec = parseSpec({ name: 'orders', parameters: tricky });
    const config = readAsPatroni(renderPatroniYaml(spec, member2)) as {
      bootstrap: { dcs: { postgresql: { parameters: object } } };
    };
    assert.deepEqual(
      config.bootstrap.dcs.postgresql.parameters,
      renderDynamicConfig(spec, NETWORKS).postgresql.parameters,
    );
  });

  test('GIVEN any valid spec WHEN the dynamic configuration is rendered THEN timing and synchronous mode follow the spec', () => {
    fc.assert(
      fc.property(validSpecInput, (input) => {
        const spec = parseSpec(input);
        const dcs = renderDynamicConfig(spec, NETWORKS);
        assert.deepEqual(
          [dcs.ttl, dcs.loop_wait, dcs.retry_timeout],
          [spec.ha.ttl, spec.ha.loopWait, spec.ha.retryTimeout],
        );
        assert.equal(dcs.maximum_lag_on_failover, spec.ha.maximumLagOnFailover);
        assert.equal(
          dcs.synchronous_mode,
          spec.synchronous ? (spec.synchronous.method === 'any' ? 'quorum' : true) : false,
        );
        assert.equal(dcs.synchronous_mode_strict, spec.synchronous?.dataDurability === 'required');
        assert.equal(dcs.synchronous_node_count, spec.synchronous?.number ?? 1);
        assert.equal(dcs.postgresql.use_pg_rewind, true);
      }),
    );
  });

  test('GIVEN line breaks in user strings WHEN patroni.yml is rendered THEN no value in it has a line break', () => {
    fc.assert(
      fc.property(specWithLineBreaks, (spec) => {
        const config = readAsPatroni(
          renderPatroniYaml(spec, patroniContext({ cluster: spec.name, slot: 1 })),
        );
        for (const s of allStrings(config)) assert.doesNotMatch(s, /[\r\n\0]/, `value ${JSON.stringify(s)}`);
      }),
    );
  });

  test('GIVEN two members of one cluster WHEN rendered THEN they share the dynamic configuration and differ in name and addresses', () => {
    const spec = ordersSpec();
    const one = buildPatroniConfig(spec, patroniContext({ cluster: 'orders', slot: 1 }));
    const two = buildPatroniConfig(spec, member2);
    assert.deepEqual(one.bootstrap, two.bootstrap);
    assert.equal(one.scope, 'orders');
    assert.deepEqual([one.name, two.name], ['orders-1', 'orders-2']);
    assert.notDeepEqual(one.postgresql, two.postgresql);
  });
});

describe('Patroni configuration of a replica cluster', () => {
  const spec = parseSpec({ name: 'orders-b', replica: { source: { cluster: 'orders-a' }, via: 'both' } });
  const standby = {
    host: '127.0.0.1',
    port: 24111,
    restoreCommand: 'pgbackrest --config=/s/restore.conf --stanza=orders-a archive-get %f "%p"',
    createReplicaMethods: ['pgcluster_replica_restore', 'basebackup'],
    restoreMethod: { name: 'pgcluster_replica_restore', command: 'pgbackrest --stanza=orders-a restore' },
  };

  test('GIVEN a replica cluster WHEN its dynamic configuration is rendered THEN standby_cluster names the source leader, the restore_command and the replica methods', () => {
    assert.deepEqual(renderDynamicConfig(spec, NETWORKS, standby).standby_cluster, {
      create_replica_methods: ['pgcluster_replica_restore', 'basebackup'],
      host: '127.0.0.1',
      port: 24111,
      restore_command: standby.restoreCommand,
    });
  });

  test('GIVEN no standby context (the primary cluster) WHEN rendered THEN there is no standby_cluster', () => {
    assert.equal('standby_cluster' in renderDynamicConfig(spec, NETWORKS), false);
  });

  test('GIVEN a replica cluster member WHEN patroni.yml is built THEN the bootstrap DCS holds standby_cluster and postgresql the restore method', () => {
    const config = buildPatroniConfig(spec, { ...member2, standby }) as {
      bootstrap: { dcs: { standby_cluster?: unknown } };
      postgresql: Record<string, unknown>;
    };
    assert.deepEqual(
      config.bootstrap.dcs.standby_cluster,
      renderDynamicConfig(spec, NETWORKS, standby).standby_cluster,
    );
    assert.deepEqual(config.postgresql.pgcluster_replica_restore, {
      command: 'pgbackrest --stanza=orders-a restore',
      keep_data: true,
      no_leader: true,
      no_params: true,
    });
  });

  test('GIVEN archive only WHEN rendered THEN standby_cluster has no host, only the restore_command', () => {
    const archiveOnly = {
      restoreCommand: standby.restoreCommand,
      createReplicaMethods: ['pgcluster_replica_restore'],
    };
    assert.deepEqual(Object.keys(renderDynamicConfig(spec, NETWORKS, archiveOnly).standby_cluster ?? {}), [
      'create_replica_methods',
      'restore_command',
    ]);
  });
});

describe('Patroni hooks', () => {
  test('GIVEN a platform before_stop command WHEN patroni.yml is rendered THEN postgresql.before_stop runs it; without one there is none', () => {
    const spec = ordersSpec();
    const withHook = buildPatroniConfig(spec, { ...member2, beforeStop: '/bin/hold-pooler before_stop' }) as {
      postgresql: Record<string, unknown>;
    };
    assert.equal(withHook.postgresql.before_stop, '/bin/hold-pooler before_stop');
    const without = buildPatroniConfig(spec, member2) as { postgresql: Record<string, unknown> };
    assert.equal('before_stop' in without.postgresql, false);
  });
});

describe('the superuser of a local member (peer over the socket)', () => {
  const spec = parseSpec({ name: 'orders-b', replica: { source: { cluster: 'orders-a' } } });
  type Rendered = {
    postgresql: {
      use_unix_socket: boolean;
      pg_ident?: string[];
      authentication: { superuser: Record<string, unknown>; replication: Record<string, unknown> };
    };
  };

  test('GIVEN secrets without a superuser password (a replica cluster) WHEN patroni.yml is built THEN the superuser has no password and Patroni uses the socket', () => {
    const { superuserPassword: _none, ...secrets } = member2.secrets;
    const config = buildPatroniConfig(spec, { ...member2, secrets }) as Rendered;
    assert.deepEqual(config.postgresql.authentication.superuser, { username: 'postgres' });
    assert.equal(config.postgresql.use_unix_socket, true);
    assert.doesNotMatch(renderPatroniYaml(spec, { ...member2, secrets }), /superuser-secret/);
    // The other roles keep theirs.
    assert.equal(config.postgresql.authentication.replication.password, 'replication-secret');
  });

  test('GIVEN the OS users to map WHEN patroni.yml is built THEN pg_ident maps each to the superuser', () => {
    const config = buildPatroniConfig(spec, { ...member2, peerUsers: ['postgres', 'root'] }) as Rendered;
    assert.deepEqual(config.postgresql.pg_ident, ['pgcluster postgres postgres', 'pgcluster root postgres']);
  });

  test('GIVEN a primary cluster with its superuser password WHEN built THEN the password stays (TCP logins of its own tools)', () => {
    const config = buildPatroniConfig(ordersSpec(), member2) as Rendered;
    assert.equal(config.postgresql.authentication.superuser.password, 'superuser-secret');
  });
});
