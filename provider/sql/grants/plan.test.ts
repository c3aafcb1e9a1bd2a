import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DesiredGrant, GrantTarget, ObservedGrant } from './model';
import { targetKey } from './model';
import { canonicalPrivileges, planGrants } from './plan';
import { grantSteps } from './statements';

const db: GrantTarget = { role: 'reader', database: 'shop', on: 'database' };
const tables: GrantTarget = { role: 'reader', database: 'shop', on: 'tables', schema: 'sales' };
const future: GrantTarget = { ...tables, createdBy: 'app' };

const want = (target: GrantTarget, privileges: string[], withGrantOption = false): DesiredGrant => ({
  target,
  privileges,
  withGrantOption,
});
const seen = (
  target: GrantTarget,
  objects: number,
  has: Record<string, number>,
  grantable: Record<string, number> = {},
): ObservedGrant => ({ target, objects, has, grantable });

const sqlOf = (desired: DesiredGrant[], observed: ObservedGrant[]) =>
  grantSteps(planGrants(desired, new Map(observed.map((o) => [targetKey(o.target), o])))).map((s) => s.sql);

const CASES: ReadonlyArray<{
  given: string;
  desired: DesiredGrant[];
  observed: ObservedGrant[];
  then: string[];
}> = [
  {
    given: 'nothing granted yet',
    desired: [want(db, ['CONNECT'])],
    observed: [],
    then: ['GRANT CONNECT ON DATABASE "shop" TO "reader"'],
  },
  {
    given: 'exactly what is granted',
    desired: [want(db, ['CONNECT'])],
    observed: [seen(db, 1, { CONNECT: 1 })],
    then: [],
  },
  {
    given: 'an extra privilege granted by hand',
    desired: [want(db, ['CONNECT'])],
    observed: [seen(db, 1, { CONNECT: 1, TEMPORARY: 1 })],
    then: ['REVOKE TEMPORARY ON DATABASE "shop" FROM "reader"'],
  },
  {
    given: 'a grant option nobody asked for',
    desired: [want(db, ['CONNECT'])],
    observed: [seen(db, 1, { CONNECT: 1 }, { CONNECT: 1 })],
    then: ['REVOKE GRANT OPTION FOR CONNECT ON DATABASE "shop" FROM "reader"'],
  },
  {
    given: 'a grant option asked for and missing',
    desired: [want(db, ['CONNECT'], true)],
    observed: [seen(db, 1, { CONNECT: 1 })],
    then: ['GRANT CONNECT ON DATABASE "shop" TO "reader" WITH GRANT OPTION'],
  },
  {
    given: 'a database the role owns (its owner privileges show in the ACL)',
    desired: [want(db, ['CONNECT'])],
    observed: [seen(db, 0, { CONNECT: 1, CREATE: 1, TEMPORARY: 1 })],
    then: [],
  },
  {
    given: 'SELECT on 2 of 3 tables and INSERT on one',
    desired: [want(tables, ['SELECT'])],
    observed: [seen(tables, 3, { SELECT: 2, INSERT: 1 })],
    then: [
      'REVOKE INSERT ON ALL TABLES IN SCHEMA "sales" FROM "reader"',
      'GRANT SELECT ON ALL TABLES IN SCHEMA "sales" TO "reader"',
    ],
  },
  {
    given: 'a schema without tables',
    desired: [want(tables, ['SELECT'])],
    observed: [seen(tables, 0, {})],
    then: [],
  },
  {
    given: 'a target that left the spec',
    desired: [want(tables, [])],
    observed: [seen(tables, 2, { SELECT: 2, UPDATE: 1 })],
    then: ['REVOKE SELECT, UPDATE ON ALL TABLES IN SCHEMA "sales" FROM "reader"'],
  },
  {
    given: 'default privileges to set',
    desired: [want(future, ['SELECT', 'INSERT'])],
    observed: [seen(future, 1, { SELECT: 1, DELETE: 1 })],
    then: [
      'ALTER DEFAULT PRIVILEGES FOR ROLE "app" IN SCHEMA "sales" REVOKE DELETE ON TABLES FROM "reader"',
      'ALTER DEFAULT PRIVILEGES FOR ROLE "app" IN SCHEMA "sales" GRANT INSERT ON TABLES TO "reader"',
    ],
  },
  {
    given: 'a schema, sequences and functions',
    desired: [
      want({ role: 'r', database: 'd', on: 'schema', schema: 's' }, ['USAGE']),
      want({ role: 'r', database: 'd', on: 'sequences', schema: 's' }, ['USAGE', 'SELECT']),
      want({ role: 'r', database: 'd', on: 'functions', schema: 's' }, ['EXECUTE']),
    ],
    observed: [],
    then: [
      'GRANT USAGE ON SCHEMA "s" TO "r"',
      'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "s" TO "r"',
      'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA "s" TO "r"',
    ],
  },
];

describe('planGrants', () => {
  for (const c of CASES) {
    test(`GIVEN ${c.given} WHEN planned THEN exactly the expected statements, revokes first`, () => {
      assert.deepEqual(sqlOf(c.desired, c.observed), c.then);
    });
  }

  test('GIVEN database and schema targets WHEN built THEN database grants run in the maintenance database', () => {
    const steps = grantSteps(
      planGrants(
        [want(db, ['CONNECT']), want(tables, ['SELECT'])],
        new Map([[targetKey(tables), seen(tables, 1, {})]]),
      ),
    );
    assert.deepEqual(
      steps.map((s) => s.database),
      [undefined, 'shop'],
    );
  });
});

describe('canonicalPrivileges', () => {
  const CASES: ReadonlyArray<[Parameters<typeof canonicalPrivileges>[0], string[], string[]]> = [
    ['database', ['ALL'], ['CONNECT', 'CREATE', 'TEMPORARY']],
    ['tables', ['UPDATE', 'SELECT', 'SELECT'], ['SELECT', 'UPDATE']],
    ['sequences', ['ALL'], ['USAGE', 'SELECT', 'UPDATE']],
    ['functions', ['EXECUTE'], ['EXECUTE']],
  ];
  for (const [on, given, then] of CASES) {
    test(`GIVEN ${given.join(',')} on ${on} WHEN made canonical THEN ${then.join(',')}`, () => {
      assert.deepEqual(canonicalPrivileges(on, given), then);
    });
  }
});
