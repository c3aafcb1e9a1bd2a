import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec } from './index';
import { isReplicaCluster } from './replica';
import { assertIssue, issuesOf } from '../../test/helpers/spec-issues';

const base = {
  name: 'orders-b',
  platform: { kubernetes: { namespace: 'site-b' } },
  tls: { ca: { secret: 'group-ca' } },
};
const source = {
  host: 'orders-a-rw.site-a.svc',
  sslMode: 'verify-full',
  secret: 'orders-a-source',
};

describe('spec replica on platform.kubernetes: streaming from a host, credentials from a Secret', () => {
  test('GIVEN a source by host and secret with verify-full and the source CA WHEN parsed THEN it is a replica cluster', () => {
    const spec = parseSpec({ ...base, replica: { source } });
    assert.equal(isReplicaCluster(spec), true);
    assert.equal(spec.replica?.source.port, 5432);
    assert.equal(spec.replica?.source.secret, 'orders-a-source');
  });

  test('GIVEN primary naming this cluster with force WHEN parsed THEN it is accepted, and not a replica', () => {
    const spec = parseSpec({ ...base, replica: { source, primary: 'orders-b', force: true } });
    assert.equal(isReplicaCluster(spec), false);
  });

  const refusals: Array<{ given: string; replica: unknown; extra?: object; path: string; says: string[] }> = [
    {
      given: 'a source cluster (the state dir is local)',
      replica: { source: { cluster: 'orders-a' } },
      path: 'replica.source.cluster',
      says: ['"orders-a" is not allowed', 'platform.local only', '<name>-rw.<namespace>.svc'],
    },
    {
      given: 'no secret',
      replica: { source: { host: source.host, sslMode: 'verify-full' } },
      path: 'replica.source.secret',
      says: ['is required on platform.kubernetes', 'replication-password and rewind-password'],
    },
    {
      given: 'a secret that is no Secret name',
      replica: { source: { ...source, secret: 'Site_A' } },
      path: 'replica.source.secret',
      says: ['"Site_A" is not allowed', 'DNS-1123'],
    },
    {
      given: 'a password reference',
      replica: { source: { ...source, password: { fromEnv: 'PW' } } },
      path: 'replica.source.password',
      says: ['come from replica.source.secret', 'remove password'],
    },
    {
      given: 'the superuser as replication user',
      replica: { source: { ...source, user: 'postgres' } },
      path: 'replica.source.user',
      says: [
        '"postgres" is not allowed',
        'must be replicator or a dedicated replication role of the source',
        'e.g. orders_b_replication',
      ],
    },
    {
      given: 'via archive',
      replica: { via: 'archive', source },
      path: 'replica.via',
      says: ['"archive" is not allowed', 'must be streaming on platform.kubernetes'],
    },
    {
      given: 'an apply delay',
      replica: { applyDelay: '1h', source },
      path: 'replica.applyDelay',
      says: ['"1h" is not allowed', 'platform.local only'],
    },
    {
      given: 'via both',
      replica: { via: 'both', source },
      path: 'replica.via',
      says: ['"both" is not allowed', 'platform.local only'],
    },
    {
      given: 'sslMode prefer with tls on',
      replica: { source: { ...source, sslMode: 'prefer' } },
      path: 'replica.source.sslMode',
      says: ['"prefer" is not allowed', 'must be verify-full', 'its CA'],
    },
    {
      given: 'tls off',
      replica: { source: { ...source, sslMode: 'require' } },
      extra: { tls: { enabled: false } },
      path: 'tls.enabled',
      says: [
        'false is not allowed',
        "none of its source's superuser password",
        'client certificate',
        'turn tls on',
      ],
    },
    {
      given: 'a generated CA',
      replica: { source },
      extra: { tls: {} },
      path: 'tls.ca',
      says: ['"generated" is not allowed', "source's CA"],
    },
    {
      given: 'a planned switch (primary naming the source)',
      replica: { source, primary: 'orders-a' },
      path: 'replica.primary',
      says: [
        '"orders-a" is not allowed',
        'planned switch is not supported on platform.kubernetes',
        'force: true',
      ],
    },
    {
      given: 'a promotion without force',
      replica: { source, primary: 'orders-b' },
      path: 'replica.force',
      says: ['false is not allowed', 'RPO', 'not measured'],
    },
    {
      given: 'roles on a promoted cluster',
      replica: { source, primary: 'orders-b', force: true },
      extra: { roles: [{ name: 'shop', login: true }] },
      path: 'roles',
      says: ['cannot be declared with replica on platform.kubernetes', 'read-only'],
    },
    {
      given: 'backup',
      replica: { source },
      extra: { backup: { s3: { bucket: 'b', region: 'eu-west-1' } } },
      path: 'backup',
      says: ['not supported with replica on platform.kubernetes yet'],
    },
  ];
  test('GIVEN a dedicated replication role WHEN parsed THEN accepted: the members stream and cascade as it', () => {
    const spec = parseSpec({ ...base, replica: { source: { ...source, user: 'orders_b_replication' } } });
    assert.equal(spec.replica?.source.user, 'orders_b_replication');
  });

  for (const r of refusals)
    test(`GIVEN ${r.given} WHEN parsed THEN ${r.path} is refused, saying why`, () => {
      assertIssue(
        issuesOf(() => parseSpec({ ...base, ...r.extra, replica: r.replica })),
        r.path,
        r.says,
      );
    });

  test('GIVEN replica.source.secret on platform.local WHEN parsed THEN it is refused', () => {
    assertIssue(
      issuesOf(() =>
        parseSpec({
          name: 'orders-b',
          platform: { local: { basePort: 24200 } },
          replica: { source: { cluster: 'orders-a', secret: 'x' } },
        }),
      ),
      'replica.source.secret',
      ['"x" is not allowed', 'platform.kubernetes only'],
    );
  });
});
