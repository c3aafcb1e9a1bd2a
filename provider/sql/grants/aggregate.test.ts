import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateGrants, type AclRow } from './aggregate';
import type { GrantTarget } from './model';

const OIDS = new Map([
  ['reader', '10'],
  ['owner', '20'],
  ['other', '30'],
]);
const row = (
  kind: AclRow['kind'],
  obj: string,
  owner: string,
  grant?: [string, string, boolean],
  objtype: string | null = null,
): AclRow => ({
  kind,
  schema: 's',
  obj,
  owner,
  objtype,
  grantee: grant?.[0] ?? null,
  priv: grant?.[1] ?? null,
  grantable: grant?.[2] ?? null,
});
const target = (on: GrantTarget['on'], more: Partial<GrantTarget> = {}): GrantTarget => ({
  role: 'reader',
  database: 'd',
  on,
  schema: 's',
  ...more,
});

const CASES: ReadonlyArray<{
  given: string;
  target: GrantTarget;
  rows: AclRow[];
  then: { objects: number; has: Record<string, number>; grantable: Record<string, number> };
}> = [
  {
    given: 'a schema with USAGE granted',
    target: target('schema'),
    rows: [row('schema', '1', '20', ['reader', 'USAGE', false])],
    then: { objects: 1, has: { USAGE: 1 }, grantable: {} },
  },
  {
    given: 'a schema the role owns',
    target: target('schema'),
    rows: [row('schema', '1', '10', ['reader', 'USAGE', true])],
    then: { objects: 0, has: {}, grantable: {} },
  },
  {
    given: 'a schema that does not exist',
    target: target('tables'),
    rows: [],
    then: { objects: 1, has: {}, grantable: {} },
  },
  {
    given: 'three tables, one owned by the role, SELECT on another with grant option, twice by two grantors',
    target: target('tables'),
    rows: [
      row('schema', '1', '20'),
      row('tables', '100', '10', ['reader', 'SELECT', false]),
      row('tables', '101', '20', ['reader', 'SELECT', true]),
      row('tables', '101', '20', ['reader', 'SELECT', false]),
      row('tables', '102', '20', ['other', 'INSERT', false]),
      row('sequences', '103', '20', ['reader', 'USAGE', false]),
    ],
    then: { objects: 2, has: { SELECT: 1 }, grantable: { SELECT: 1 } },
  },
  {
    given: 'an existing schema without any function',
    target: target('functions'),
    rows: [row('schema', '1', '20')],
    then: { objects: 0, has: {}, grantable: {} },
  },
  {
    given: 'default privileges of the creator for tables (and others that do not count)',
    target: target('tables', { createdBy: 'owner' }),
    rows: [
      row('schema', '1', '20'),
      row('default', '500', '20', ['reader', 'SELECT', false], 'r'),
      row('default', '501', '20', ['reader', 'USAGE', false], 'S'),
      row('default', '502', '30', ['reader', 'DELETE', false], 'r'),
    ],
    then: { objects: 1, has: { SELECT: 1 }, grantable: {} },
  },
  {
    given: 'no default privileges yet',
    target: target('sequences', { createdBy: 'owner' }),
    rows: [row('schema', '1', '20')],
    then: { objects: 1, has: {}, grantable: {} },
  },
];

describe('aggregateGrants: ACL rows -> what a target observes', () => {
  for (const c of CASES) {
    test(`GIVEN ${c.given} WHEN aggregated THEN ${JSON.stringify(c.then)}`, () => {
      const [observed] = aggregateGrants([c.target], c.rows, OIDS);
      assert.deepEqual(
        { objects: observed?.objects, has: observed?.has, grantable: observed?.grantable },
        c.then,
      );
    });
  }
});
