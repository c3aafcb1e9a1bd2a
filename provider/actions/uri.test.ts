import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterUris, socketUris } from './uri';
import type { PgEndpoint } from '../platform/types';

const members = [
  { host: '10.246.1.2', port: 27911 },
  { host: '10.246.1.2', port: 27912 },
];
const socketFor = (e: PgEndpoint) =>
  e.host === '10.246.1.2' ? `/var/lib/pgc/orders/members/orders-${e.port - 27910}/run` : undefined;

describe("the local superuser's URIs", () => {
  test('GIVEN credentials with a socket for every member WHEN URIs are made THEN libpq host and port lists over the sockets, no password', () => {
    const creds = { user: 'postgres', password: '', database: 'postgres', socketFor };
    const uris = socketUris({ rw: members, ro: members }, creds);
    assert.equal(
      uris?.rw,
      'postgresql://postgres@/postgres?host=/var/lib/pgc/orders/members/orders-1/run,/var/lib/pgc/orders/members/orders-2/run&port=27911,27912&target_session_attrs=read-write',
    );
    assert.match(uris?.ro ?? '', /target_session_attrs=standby$/);
    assert.doesNotMatch(JSON.stringify(uris), /:@|password/);
  });

  test('GIVEN a member without a socket, or no socketFor WHEN URIs are made THEN none (TCP as usual)', () => {
    const creds = { user: 'postgres', password: 'pw', database: 'postgres', socketFor };
    assert.equal(socketUris({ rw: [{ host: '10.9.9.9', port: 27911 }], ro: members }, creds), undefined);
    const tcp = { user: 'postgres', password: 'pw', database: 'postgres' };
    assert.equal(socketUris({ rw: members, ro: members }, tcp), undefined);
    assert.equal(
      clusterUris({ rw: members, ro: members }, tcp, true).rw,
      'postgresql://postgres:pw@10.246.1.2:27911,10.246.1.2:27912/postgres?target_session_attrs=read-write',
    );
  });
});
