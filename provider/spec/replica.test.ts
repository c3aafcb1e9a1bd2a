import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec } from './index';
import { isReplicaCluster } from './replica';
import { assertIssue, issuesOf } from '../../test/helpers/spec-issues';

const base = { name: 'orders-b', platform: { local: { basePort: 24200 } } };
const archive = { s3: { bucket: 'site-a', endpoint: '10.246.1.1:9000' }, stanza: 'orders-a' };

describe('spec replica: a replica cluster and its group', () => {
  test('GIVEN a managed source WHEN parsed THEN streaming is the default, no force, and the cluster is a replica', () => {
    const spec = parseSpec({ ...base, replica: { source: { cluster: 'orders-a' } } });
    assert.equal(spec.replica?.via, 'streaming');
    assert.equal(spec.replica?.force, false);
    assert.equal(isReplicaCluster(spec), true);
  });

  test('GIVEN primary naming this cluster WHEN parsed THEN it is the primary of the group, not a replica', () => {
    const spec = parseSpec({ ...base, replica: { primary: 'orders-b', source: { cluster: 'orders-a' } } });
    assert.equal(isReplicaCluster(spec), false);
    assert.equal(
      isReplicaCluster(parseSpec({ ...base, replica: { ...spec.replica, primary: 'orders-a' } })),
      true,
    );
  });

  test('GIVEN a delayed replica cluster promoted to a time WHEN parsed THEN the delay and the target are kept', () => {
    const spec = parseSpec({
      ...base,
      replica: {
        source: { cluster: 'orders-a' },
        via: 'archive',
        applyDelay: '1h',
        primary: 'orders-b',
        target: { time: '2026-12-01T10:00:00Z' },
      },
    });
    assert.equal(spec.replica?.applyDelay, '1h');
    assert.deepEqual(spec.replica?.target, { time: '2026-12-01T10:00:00Z', exclusive: false });
  });

  test('GIVEN an external source with its archive WHEN parsed THEN via both is accepted', () => {
    const spec = parseSpec({
      ...base,
      replica: {
        via: 'both',
        source: {
          host: '10.246.1.1',
          port: 24111,
          password: { fromEnv: 'PW' },
          archive,
        },
      },
      tls: { clientAuth: { replication: 'password' } },
    });
    assert.equal(spec.replica?.source.user, 'replicator');
    assert.equal(spec.replica?.source.sslMode, 'prefer');
  });

  const refusals: Array<{ given: string; replica: unknown; extra?: object; path: string; says: string[] }> = [
    {
      given: 'neither cluster nor host',
      replica: { source: {} },
      path: 'replica.source',
      says: ['is not allowed', 'exactly one of cluster', 'host'],
    },
    {
      given: 'both cluster and host',
      replica: { source: { cluster: 'orders-a', host: 'db.example' } },
      path: 'replica.source',
      says: ['exactly one of cluster'],
    },
    {
      given: 'a source cluster that is no cluster name',
      replica: { source: { cluster: 'Orders_A' } },
      path: 'replica.source.cluster',
      says: ['"Orders_A" is not allowed', 'DNS-1035'],
    },
    {
      given: 'itself as the source',
      replica: { source: { cluster: 'orders-b' } },
      path: 'replica.source.cluster',
      says: ['"orders-b"', 'a replica of itself'],
    },
    {
      given: 'a managed source with a password',
      replica: { source: { cluster: 'orders-a', password: { fromEnv: 'PW' } } },
      path: 'replica.source',
      says: ["come from that cluster's state", 'remove password'],
    },
    {
      given: 'an external source on platform.local without the replication password',
      replica: { source: { host: '10.246.1.1' } },
      path: 'replica.source.password',
      says: ['is required with host on platform.local', 'replicator'],
    },
    {
      given: 'an external source verified without its CA',
      replica: { source: { host: 'db.example', sslMode: 'verify-full' } },
      path: 'replica.source.caFile',
      says: ['is required with sslMode verify-full', "db.example's server certificate"],
    },
    {
      given: 'a CA file for an unverified source',
      replica: { source: { host: 'db.example', caFile: 'ca.crt' } },
      path: 'replica.source.caFile',
      says: ['"ca.crt" is not allowed', 'verify-ca or verify-full'],
    },
    {
      given: 'an external source with certificate replication (the default under tls)',
      replica: { source: { host: 'db.example' } },
      path: 'tls.clientAuth.replication',
      says: ['"cert" is not allowed', 'does not trust', 'tls.clientAuth.replication: password'],
    },
    {
      given: 'a managed source with a CA file',
      replica: { source: { cluster: 'orders-a', caFile: 'ca.crt' } },
      path: 'replica.source',
      says: ['remove password, caFile and archive'],
    },
    {
      given: 'via archive from an external source without its archive',
      replica: { via: 'archive', source: { host: '10.246.1.1' } },
      path: 'replica.via',
      says: ['"archive" is not allowed', 'replica.source.archive'],
    },
    {
      given: 'an archive without a bucket',
      replica: { via: 'both', source: { host: '10.246.1.1', archive: { s3: {}, stanza: 'a' } } },
      path: 'replica.source.archive.s3.bucket',
      says: ['is required'],
    },
    {
      given: 'a primary outside the group',
      replica: { primary: 'orders-c', source: { cluster: 'orders-a' } },
      path: 'replica.primary',
      says: ['"orders-c" is not allowed', 'orders-b', 'orders-a'],
    },
    {
      given: 'roles on a replica cluster',
      replica: { source: { cluster: 'orders-a' } },
      extra: { roles: [{ name: 'shop', login: true }] },
      path: 'roles',
      says: ['read-only', 'come from the source (orders-a)'],
    },
    {
      given: 'databases on a replica cluster',
      replica: { source: { cluster: 'orders-a' } },
      extra: { databases: [{ name: 'shop', owner: 'app' }] },
      path: 'databases',
      says: ['read-only', 'come from the source'],
    },
    {
      given: 'a bootstrap other than initdb',
      replica: { source: { cluster: 'orders-a' } },
      extra: { bootstrap: { recovery: { source: { cluster: 'orders-a' } } } },
      path: 'bootstrap.recovery',
      says: ['gets its data from replica.source'],
    },
    {
      given: 'an unknown via',
      replica: { via: 'carrier-pigeon', source: { cluster: 'orders-a' } },
      path: 'replica.via',
      says: ['streaming', 'archive', 'both'],
    },
    {
      given: 'an apply delay without a unit',
      replica: { source: { cluster: 'orders-a' }, applyDelay: '30' },
      path: 'replica.applyDelay',
      says: ['"30" is not allowed', 'ms, s, min, h or d'],
    },
    {
      given: 'a target time without a time zone',
      replica: { source: { cluster: 'orders-a' }, primary: 'orders-b', target: { time: '2026-12-01 10:00' } },
      path: 'replica.target.time',
      says: ['"2026-12-01 10:00" is not allowed', 'time zone'],
    },
    {
      given: 'a target while this cluster is not being promoted',
      replica: { source: { cluster: 'orders-a' }, target: { time: '2026-12-01T10:00:00Z' } },
      path: 'replica.target',
      says: ['replica.primary: orders-b'],
    },
    {
      given: 'a target with via streaming',
      replica: {
        source: { cluster: 'orders-a' },
        applyDelay: '1h',
        primary: 'orders-b',
        target: { time: '2026-12-01T10:00:00Z' },
      },
      path: 'replica.via',
      says: ['"streaming" is not allowed', 'must be archive with replica.target'],
    },
    {
      given: 'a target without an apply delay',
      replica: {
        source: { cluster: 'orders-a' },
        via: 'archive',
        primary: 'orders-b',
        target: { time: '2026-12-01T10:00:00Z' },
      },
      path: 'replica.applyDelay',
      says: ['is required with replica.target', 'replay cannot go back'],
    },
  ];
  for (const r of refusals)
    test(`GIVEN ${r.given} WHEN parsed THEN ${r.path} is refused, saying why`, () => {
      assertIssue(
        issuesOf(() => parseSpec({ ...base, ...r.extra, replica: r.replica })),
        r.path,
        r.says,
      );
    });

  test('GIVEN roles on the primary cluster of a group WHEN parsed THEN they are accepted', () => {
    assert.doesNotThrow(() =>
      parseSpec({
        ...base,
        roles: [{ name: 'shop', login: true }],
        replica: { primary: 'orders-b', source: { cluster: 'orders-a' } },
      }),
    );
  });
});

describe('spec platform.local addressing (the sites of a group)', () => {
  test('GIVEN a site address and the networks of the other sites WHEN parsed THEN both are kept', () => {
    const spec = parseSpec({
      name: 'orders-a',
      platform: { local: { basePort: 24100, host: '10.246.1.1', allowedNetworks: ['10.246.0.0/16'] } },
    });
    assert.equal(spec.platform.local?.host, '10.246.1.1');
    assert.deepEqual(spec.platform.local?.allowedNetworks, ['10.246.0.0/16']);
  });

  test('GIVEN a host name or a bad network WHEN parsed THEN each is refused, naming what is allowed', () => {
    const issues = issuesOf(() =>
      parseSpec({
        name: 'orders-a',
        platform: { local: { host: 'site-a.example', allowedNetworks: ['10.246.0.0/33', '10.1.0.0/16'] } },
      }),
    );
    assertIssue(issues, 'platform.local.host', ['"site-a.example" is not allowed', 'IPv4 address']);
    assertIssue(issues, 'platform.local.allowedNetworks[0]', ['"10.246.0.0/33"', 'CIDR']);
    assert.equal(issues.length, 2, JSON.stringify(issues));
  });
});
