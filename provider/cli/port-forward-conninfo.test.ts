import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { portForwardConninfo } from './kubernetes';

describe('the conninfo psql gets through a port-forward', () => {
  test('GIVEN a CA file WHEN built THEN verify-full with it, no password in it', () => {
    assert.equal(
      portForwardConninfo('app', 'app', 40001, '/tmp/pgcluster-psql-x/ca.crt'),
      'postgresql://app@127.0.0.1:40001/app?sslmode=verify-full&sslrootcert=/tmp/pgcluster-psql-x/ca.crt',
    );
  });

  test("GIVEN a replica cluster's superuser certificate WHEN built THEN psql logs in with its files beside the CA", () => {
    assert.equal(
      portForwardConninfo('postgres', 'postgres', 40002, '/d/ca.crt', {
        certFile: '/d/client.crt',
        keyFile: '/d/client.key',
      }),
      'postgresql://postgres@127.0.0.1:40002/postgres?sslmode=verify-full&sslrootcert=/d/ca.crt&sslcert=/d/client.crt&sslkey=/d/client.key',
    );
  });

  test('GIVEN no CA (tls off) WHEN built THEN no query, and a certificate is not offered without TLS', () => {
    assert.equal(portForwardConninfo('app', 'my db', 40003), 'postgresql://app@127.0.0.1:40003/my%20db');
    assert.equal(
      portForwardConninfo('app', 'app', 40003, undefined, { certFile: '/c', keyFile: '/k' }),
      'postgresql://app@127.0.0.1:40003/app',
    );
  });
});
