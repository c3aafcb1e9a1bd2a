import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { passwordFingerprint } from '../../secrets/fingerprint';
import type { DesiredRole, ObservedRole, RoleAttributes } from './model';
import { planRoles, rolePlanSize } from './plan';
import { NO_ATTRIBUTES } from '../managed';
import { roleDropSteps, roleSteps } from './statements';

const ATTRS: RoleAttributes = NO_ATTRIBUTES;

const want = (
  name: string,
  more: Partial<DesiredRole> = {},
  attrs: Partial<RoleAttributes> = {},
): DesiredRole => ({
  name,
  ensure: 'present',
  attributes: { ...ATTRS, ...attrs },
  inRoles: [],
  comment: null,
  ...more,
});
const have = (
  name: string,
  more: Partial<ObservedRole> = {},
  attrs: Partial<RoleAttributes> = {},
): ObservedRole => ({
  name,
  attributes: { ...ATTRS, ...attrs },
  inRoles: [],
  comment: null,
  ...more,
});

const sqlOf = (desired: DesiredRole[], observed: ObservedRole[]) => {
  const plan = planRoles(desired, new Map(observed.map((o) => [o.name, o])));
  return [...roleSteps(plan), ...roleDropSteps(plan)].map((s) => s.sql);
};

const CASES: ReadonlyArray<{
  given: string;
  desired: DesiredRole[];
  observed: ObservedRole[];
  then: string[];
}> = [
  { given: 'nothing desired', desired: [], observed: [have('other')], then: [] },
  {
    given: 'a new login role with a password, comment and membership',
    desired: [want('app', { password: 'pw', comment: 'the app', inRoles: ['readers'] }, { login: true })],
    observed: [],
    then: [
      'CREATE ROLE "app" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT -1',
      `ALTER ROLE "app" PASSWORD '***'`,
      `COMMENT ON ROLE "app" IS 'the app'`,
      'GRANT "readers" TO "app"',
    ],
  },
  { given: 'a role exactly as desired', desired: [want('app')], observed: [have('app')], then: [] },
  {
    given: 'two changed attributes',
    desired: [want('app', {}, { login: true, connectionLimit: 5 })],
    observed: [have('app')],
    then: ['ALTER ROLE "app" WITH LOGIN CONNECTION LIMIT 5'],
  },
  {
    given: 'an expiry set by hand and none desired',
    desired: [want('app')],
    observed: [have('app', {}, { validUntil: Date.UTC(2030, 0, 1) })],
    then: [`ALTER ROLE "app" WITH VALID UNTIL 'infinity'`],
  },
  {
    given: 'a new expiry',
    desired: [want('app', {}, { validUntil: Date.UTC(2031, 5, 1) })],
    observed: [have('app')],
    then: [`ALTER ROLE "app" WITH VALID UNTIL '2031-06-01T00:00:00.000Z'`],
  },
  {
    given: 'an extra membership and a missing one',
    desired: [want('app', { inRoles: ['a', 'b'] })],
    observed: [have('app', { inRoles: ['b', 'c'] })],
    then: ['REVOKE "c" FROM "app"', 'GRANT "a" TO "app"'],
  },
  {
    given: 'a comment set by hand and none desired',
    desired: [want('app')],
    observed: [have('app', { comment: 'x' })],
    then: ['COMMENT ON ROLE "app" IS NULL'],
  },
  {
    given: 'the same password as last time',
    desired: [want('app', { password: 'pw' })],
    observed: [have('app', { passwordHash: passwordFingerprint('pw') })],
    then: [],
  },
  {
    given: 'a new password',
    desired: [want('app', { password: 'new' })],
    observed: [have('app', { passwordHash: passwordFingerprint('old') })],
    then: [`ALTER ROLE "app" PASSWORD '***'`],
  },
  {
    given: 'a password never set by pgcluster',
    desired: [want('app', { password: 'pw' })],
    observed: [have('app')],
    then: [`ALTER ROLE "app" PASSWORD '***'`],
  },
  {
    given: 'an absent role that exists',
    desired: [want('old', { ensure: 'absent' })],
    observed: [have('old')],
    then: ['DROP ROLE "old"'],
  },
  {
    given: 'an absent role that is gone',
    desired: [want('old', { ensure: 'absent' })],
    observed: [],
    then: [],
  },
  {
    given: 'a hostile name',
    desired: [want('a"; DROP ROLE postgres; --', { comment: "it's" })],
    observed: [have('a"; DROP ROLE postgres; --')],
    then: [`COMMENT ON ROLE "a""; DROP ROLE postgres; --" IS 'it''s'`],
  },
  {
    given: 'drops, creations and changes at once',
    desired: [want('new'), want('old', { ensure: 'absent' }), want('kept', {}, { createdb: true })],
    observed: [have('old'), have('kept')],
    then: [
      'CREATE ROLE "new" WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT -1',
      'ALTER ROLE "kept" WITH CREATEDB',
      'DROP ROLE "old"',
    ],
  },
];

describe('planRoles', () => {
  for (const c of CASES) {
    test(`GIVEN ${c.given} WHEN planned THEN exactly the expected statements, drops last`, () => {
      assert.deepEqual(sqlOf(c.desired, c.observed), c.then);
    });
  }

  test('GIVEN a planned password WHEN turned into steps THEN no step holds the password', () => {
    const plan = planRoles([want('app', { password: 'top-secret-value' })], new Map());
    assert.equal(rolePlanSize(plan), 2);
    assert.ok(!JSON.stringify(roleSteps(plan)).includes('top-secret-value'));
  });
});
