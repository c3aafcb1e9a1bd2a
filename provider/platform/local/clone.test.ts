import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec } from '../../spec';
import { cloneSourceProblem } from './clone';

const spec = (postgresVersion: number) =>
  parseSpec({
    name: 'c',
    postgresVersion,
    bootstrap: { pgBasebackup: { source: { host: 'db.internal', user: 'cloner' } } },
  });
const facts = { version: '15.18', num: 150018, replication: true, superuser: false };

describe('cloneSourceProblem', () => {
  test('GIVEN a PostgreSQL 15 source with REPLICATION WHEN cloned into postgresVersion 15 THEN fine', () => {
    assert.equal(cloneSourceProblem(spec(15), facts), undefined);
    assert.equal(cloneSourceProblem(spec(15), { ...facts, replication: false, superuser: true }), undefined);
  });

  test('GIVEN a PostgreSQL 16 source WHEN cloned into postgresVersion 15 THEN refused naming both versions and the fix', () => {
    assert.equal(
      cloneSourceProblem(spec(15), { ...facts, version: '16.4', num: 160004 }),
      'bootstrap.pgBasebackup.source: db.internal:5432 runs PostgreSQL 16.4 and postgresVersion is 15: ' +
        'pg_basebackup copies only the same major version (set postgresVersion: 16, or clone another server)',
    );
  });

  test('GIVEN a role without REPLICATION WHEN checked THEN refused naming the role and the grant', () => {
    assert.match(
      cloneSourceProblem(spec(15), { ...facts, replication: false }) ?? '',
      /^bootstrap\.pgBasebackup\.source\.user: role "cloner" on db\.internal:5432 has no REPLICATION attribute \(ALTER ROLE "cloner" REPLICATION/,
    );
  });
});
