import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredFromSpec } from './desired';
import { emptyManaged, keptRoles, nextManaged, withDepartures, type ManagedSql } from './managed';
import { parseSpec } from '../spec';
import { passwordFingerprint } from '../secrets/fingerprint';

const desired = (input: object, passwords: Record<string, string> = {}) =>
  desiredFromSpec(parseSpec({ name: 'c', ...input }), new Map(Object.entries(passwords)));

const previous: ManagedSql = {
  roles: { gone: {}, kept: { passwordHash: passwordFingerprint('pw') } },
  databases: { keepme: { reclaimPolicy: 'retain' }, dropme: { reclaimPolicy: 'delete' } },
  grants: [{ role: 'kept', database: 'x', on: 'database' }],
};

const ok = {
  failedKeys: new Set<string>(),
  passwordsSet: new Map<string, string>(),
  passwordsPlanned: new Set<string>(),
};

describe('withDepartures', () => {
  test('GIVEN entries that left the spec WHEN departures are added THEN roles are absent, grants empty, databases departed with their last policy', () => {
    const d = withDepartures(desired({ roles: [{ name: 'kept' }] }), previous);
    assert.deepEqual(
      d.roles.map((r) => [r.name, r.ensure]),
      [
        ['kept', 'present'],
        ['gone', 'absent'],
      ],
    );
    assert.deepEqual(
      d.databases.map((x) => [x.name, x.departed, x.reclaimPolicy]),
      [
        ['keepme', true, 'retain'],
        ['dropme', true, 'delete'],
      ],
    );
    assert.deepEqual(
      d.grants.map((g) => [g.target.role, g.privileges]),
      [['kept', []]],
    );
  });

  test('GIVEN nothing managed before WHEN departures are added THEN the desired state is unchanged', () => {
    const d = desired({ roles: [{ name: 'a' }], databases: [{ name: 'b' }] });
    assert.deepEqual(withDepartures(d, emptyManaged()), d);
  });
});

describe('nextManaged', () => {
  test('GIVEN a clean apply WHEN recorded THEN present entries are managed and departed ones forgotten', () => {
    const d = withDepartures(
      desired({ roles: [{ name: 'kept', password: { fromEnv: 'X' } }], grants: [] }, { kept: 'pw' }),
      previous,
    );
    const next = nextManaged(d, previous, ok);
    assert.deepEqual(Object.keys(next.roles), ['kept']);
    assert.equal(
      next.roles.kept?.passwordHash,
      previous.roles.kept?.passwordHash,
      'an unchanged password keeps its fingerprint',
    );
    assert.deepEqual(next.databases, {});
    assert.deepEqual(next.grants, []);
  });

  test('GIVEN failed drops and revokes WHEN recorded THEN those entries stay managed, to be retried', () => {
    const d = withDepartures(desired({}), previous);
    const next = nextManaged(d, previous, {
      ...ok,
      failedKeys: new Set([
        'role:gone',
        'database:dropme',
        `grant:${JSON.stringify(['kept', 'x', 'database', null, null])}`,
      ]),
    });
    assert.deepEqual(Object.keys(next.roles), ['gone']);
    assert.deepEqual(next.databases, { dropme: { reclaimPolicy: 'delete' } });
    assert.equal(next.grants.length, 1);
  });

  test('GIVEN a password set WHEN recorded THEN its new fingerprint is kept; GIVEN one planned but failed THEN none', () => {
    const d = desired(
      {
        roles: [
          { name: 'a', password: { fromEnv: 'A' } },
          { name: 'b', password: { fromEnv: 'B' } },
        ],
      },
      { a: 'x', b: 'y' },
    );
    const next = nextManaged(d, emptyManaged(), {
      ...ok,
      passwordsSet: new Map([['a', 'hmac-sha256$new']]),
      passwordsPlanned: new Set(['a', 'b']),
    });
    assert.deepEqual(next.roles, { a: { passwordHash: 'hmac-sha256$new' }, b: {} });
  });

  test('GIVEN a password removed from the spec WHEN recorded THEN its fingerprint is dropped (no longer managed)', () => {
    const next = nextManaged(desired({ roles: [{ name: 'kept' }] }), previous, ok);
    assert.deepEqual(next.roles.kept, {});
  });
});

describe('keptRoles', () => {
  test('GIVEN a managed role that left roles[] but still owns a declared database WHEN departures are added THEN it is kept, not dropped', () => {
    const d = desired({ databases: [{ name: 'shop', owner: 'gone' }] });
    assert.deepEqual(keptRoles(d, previous), ['gone']);
    assert.ok(!withDepartures(d, previous).roles.some((r) => r.name === 'gone'));
  });
});
