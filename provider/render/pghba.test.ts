import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { renderPgHba, renderPgIdent, renderSuperuserCertIdent } from './pghba';
import { parseSpec } from '../spec';
import { specWithLineBreaks, validSpecInput } from '../../test/helpers/arbitraries';
import { ordersSpec } from '../../test/helpers/render-context';
import { matchSnapshot } from '../../test/helpers/snapshot';

describe('renderPgHba', () => {
  test('GIVEN a cluster with one user line and two networks WHEN rendered THEN it matches the snapshot', () => {
    matchSnapshot(
      'pg_hba-orders',
      `${renderPgHba(ordersSpec(), ['127.0.0.0/8', '10.1.0.0/16']).join('\n')}\n`,
    );
  });

  test('GIVEN user lines WHEN rendered THEN they come after the rules pgcluster needs and before the final password rules', () => {
    const spec = parseSpec({
      name: 'orders',
      pgHba: ['  host app app 10.0.0.0/8 scram-sha-256  ', '', '   '],
    });
    const lines = renderPgHba(spec, ['127.0.0.0/8']);
    assert.deepEqual(lines, [
      'local all postgres peer map=pgcluster',
      'hostssl replication replicator 127.0.0.0/8 cert',
      'hostssl replication +pgcluster_replication 127.0.0.0/8 cert',
      'hostssl all rewinder 127.0.0.0/8 cert',
      'host app app 10.0.0.0/8 scram-sha-256',
      'local all all scram-sha-256',
      'host all all 127.0.0.0/8 scram-sha-256',
    ]);
  });

  test('GIVEN any valid spec WHEN rendered THEN every non-blank user line appears once, in order, between fixed and final rules', () => {
    fc.assert(
      fc.property(validSpecInput, (input) => {
        const spec = parseSpec(input);
        const user = spec.pgHba.map((l) => l.trim()).filter((l) => l.length > 0);
        const lines = renderPgHba(spec, ['127.0.0.0/8']);
        assert.equal(lines[0], 'local all postgres peer map=pgcluster');
        assert.deepEqual(lines.slice(4, 4 + user.length), user);
        assert.deepEqual(lines.slice(-2), [
          'local all all scram-sha-256',
          'host all all 127.0.0.0/8 scram-sha-256',
        ]);
      }),
    );
  });

  test('GIVEN login roles with replication WHEN rendered THEN they may stream as the replication role does (by certificate under tls), quoted when needed; others not', () => {
    const spec = parseSpec({
      name: 'orders',
      roles: [
        { name: 'orders_b_replication', login: true, replication: true },
        { name: 'Site C', login: true, replication: true },
        { name: 'gone_feed', login: true, replication: true, ensure: 'absent' },
        { name: 'nologin_feed', replication: true },
        { name: 'app_user', login: true },
      ],
    });
    const replication = (s: typeof spec) =>
      renderPgHba(s, ['10.0.0.0/8']).filter((l) => l.split(/\s+/)[1] === 'replication');
    assert.deepEqual(replication(spec), [
      'hostssl replication replicator 10.0.0.0/8 cert',
      'hostssl replication +pgcluster_replication 10.0.0.0/8 cert',
      'hostssl replication orders_b_replication 10.0.0.0/8 cert',
      'hostssl replication "Site C" 10.0.0.0/8 cert',
    ]);
    const plain = parseSpec({ ...spec, tls: { enabled: false } });
    assert.ok(replication(plain).includes('host replication orders_b_replication 10.0.0.0/8 scram-sha-256'));
  });

  test('GIVEN line breaks in user lines WHEN rendered THEN every rule stays on one line', () => {
    fc.assert(
      fc.property(specWithLineBreaks, (spec) => {
        for (const line of renderPgHba(spec, ['127.0.0.0/8'])) assert.doesNotMatch(line, /[\r\n\0]/);
      }),
    );
  });
});

describe('the local superuser over the socket (peer)', () => {
  test('GIVEN platform.local WHEN rendered THEN the superuser logs in over the socket by peer through the pgcluster map, and no other socket rule comes before it', () => {
    const lines = renderPgHba(parseSpec({ name: 'orders' }), ['127.0.0.0/8']);
    assert.equal(lines[0], 'local all postgres peer map=pgcluster');
    assert.equal(lines.filter((l) => l.startsWith('local all postgres')).length, 1);
    // The TCP rules stay: a primary cluster's superuser still logs in over TCP with its password.
    assert.equal(lines.at(-1), 'host all all 127.0.0.0/8 scram-sha-256');
  });

  test('GIVEN platform.kubernetes WHEN rendered THEN the OS user postgres of the pods logs in over the socket by peer (no map), first, and no certificate rule for the superuser', () => {
    const spec = parseSpec({ name: 'orders', platform: { kubernetes: {} } });
    const lines = renderPgHba(spec, ['10.0.0.0/8']);
    assert.equal(lines[0], 'local all postgres peer');
    assert.equal(lines.filter((l) => l.startsWith('local all postgres')).length, 1);
    assert.equal(
      lines.some((l) => l.includes('map=')),
      false,
    );
    assert.deepEqual(renderSuperuserCertIdent(spec), []);
  });

  test('GIVEN a replica cluster on Kubernetes WHEN rendered THEN its superuser logs in over TCP only by its own client certificate, mapped from its CN, never by a password; a primary cluster of the same group admits no such certificate', () => {
    const replica = parseSpec({
      name: 'orders-b',
      platform: { kubernetes: {} },
      tls: { ca: { secret: 'group-ca' } },
      replica: {
        source: { host: 'orders-a-rw.site-a.svc', sslMode: 'verify-full', secret: 'orders-a-source' },
      },
    });
    const lines = renderPgHba(replica, ['0.0.0.0/0', '::/0']);
    assert.deepEqual(lines.slice(0, 5), [
      'local all postgres peer',
      'hostssl all postgres 0.0.0.0/0 cert map=pgcluster-superuser',
      'hostnossl all postgres 0.0.0.0/0 reject',
      'hostssl all postgres ::/0 cert map=pgcluster-superuser',
      'hostnossl all postgres ::/0 reject',
    ]);
    assert.deepEqual(renderSuperuserCertIdent(replica), [
      'pgcluster-superuser pgcluster-superuser.orders-b postgres',
    ]);
    const source = parseSpec({
      name: 'orders-a',
      platform: { kubernetes: {} },
      tls: { ca: { secret: 'group-ca' } },
    });
    assert.equal(
      renderPgHba(source, ['0.0.0.0/0']).some((l) => l.includes('cert map=')),
      false,
    );
  });

  test('GIVEN the run user and root WHEN pg_ident is rendered THEN each maps to the superuser in the pgcluster map, once', () => {
    assert.deepEqual(renderPgIdent(['postgres', 'root', 'postgres']), [
      'pgcluster postgres postgres',
      'pgcluster root postgres',
    ]);
  });

  test('GIVEN a name pg_ident.conf cannot take WHEN rendered THEN it is refused', () => {
    assert.throws(
      () => renderPgIdent(['bad user']),
      /not an OS user name pg_ident.conf can take: "bad user"/,
    );
    assert.throws(() => renderPgIdent(['a\nb']), /not an OS user name/);
  });
});
