import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clusterSpecSchema, formatPath, parseSpec } from './index';
import { knownKeysAt } from './zod-issues';
import { assertIssue, issuesOf } from '../../test/helpers/spec-issues';

const base = { name: 'orders' };
const long = 'r'.repeat(64);

describe('roles, databases and grants: accepted', () => {
  const ACCEPTED: ReadonlyArray<{ given: string; input: object }> = [
    {
      given: 'a full example',
      input: {
        ...base,
        roles: [
          { name: 'reader', login: true, password: { fromEnv: 'READER_PW' }, inRoles: ['pg_read_all_data'] },
          {
            name: 'writer',
            login: true,
            password: { fromFile: 'secrets/writer' },
            validUntil: '2030-01-01T00:00:00Z',
          },
          { name: 'old', ensure: 'absent' },
        ],
        databases: [
          {
            name: 'shop',
            owner: 'writer',
            encoding: 'UTF8',
            locale: 'C.UTF-8',
            schemas: [{ name: 'sales' }],
            extensions: [{ name: 'pgcrypto', schema: 'sales' }],
          },
          { name: 'gone', ensure: 'absent', reclaimPolicy: 'delete' },
          { name: 'app', schemas: [{ name: 'audit', owner: 'writer' }] },
        ],
        grants: [
          { role: 'reader', database: 'shop', privileges: ['CONNECT'] },
          { role: 'reader', database: 'shop', on: 'schema', schema: 'sales', privileges: ['USAGE'] },
          { role: 'reader', database: 'shop', on: 'tables', schema: 'sales', privileges: ['SELECT'] },
          {
            role: 'reader',
            database: 'shop',
            on: 'tables',
            schema: 'sales',
            privileges: ['SELECT'],
            createdBy: 'writer',
          },
          {
            role: 'writer',
            database: 'shop',
            on: 'sequences',
            schema: 'sales',
            privileges: ['ALL'],
            withGrantOption: true,
          },
          { role: 'app', database: 'app', privileges: ['TEMPORARY'] },
        ],
      },
    },
    {
      given: 'hostile but valid names',
      input: {
        ...base,
        roles: [{ name: `a"; DROP ROLE x; --` }, { name: 'Select' }, { name: 'ü'.repeat(31) }],
      },
    },
    { given: 'a 63-byte role name', input: { ...base, roles: [{ name: 'r'.repeat(63) }] } },
    { given: 'validUntil infinity', input: { ...base, roles: [{ name: 'a', validUntil: 'infinity' }] } },
    {
      given: 'validUntil with an offset',
      input: { ...base, roles: [{ name: 'a', validUntil: '2030-01-01 12:00:00+02:00' }] },
    },
  ];
  for (const { given, input } of ACCEPTED) {
    test(`GIVEN ${given} WHEN parsed THEN it is accepted`, () => assert.doesNotThrow(() => parseSpec(input)));
  }

  test('GIVEN a role with only a name WHEN parsed THEN PostgreSQL defaults are filled in', () => {
    assert.deepEqual(parseSpec({ ...base, roles: [{ name: 'a' }] }).roles[0], {
      name: 'a',
      ensure: 'present',
      login: false,
      superuser: false,
      createdb: false,
      createrole: false,
      inherit: true,
      replication: false,
      bypassrls: false,
      connectionLimit: -1,
      inRoles: [],
    });
  });
});

interface Refusal {
  given: string;
  input: object;
  path: string;
  says: string[];
}

const REFUSED: Refusal[] = [
  {
    given: 'a duplicate role',
    input: { ...base, roles: [{ name: 'a' }, { name: 'a' }] },
    path: 'roles[1].name',
    says: ['duplicates roles[0].name'],
  },
  {
    given: 'a role both present and absent',
    input: { ...base, roles: [{ name: 'a' }, { name: 'a', ensure: 'absent' }] },
    path: 'roles[1].name',
    says: ['"a" is not allowed', 'cannot be both present and absent'],
  },
  {
    given: 'a 64-byte role name',
    input: { ...base, roles: [{ name: long }] },
    path: 'roles[0].name',
    says: ['at most 63 bytes', 'this one is 64'],
  },
  {
    given: 'an empty role name',
    input: { ...base, roles: [{ name: '' }] },
    path: 'roles[0].name',
    says: ['must not be empty'],
  },
  {
    given: 'a newline in a role name',
    input: { ...base, roles: [{ name: 'a\nb' }] },
    path: 'roles[0].name',
    says: ['NUL or newlines'],
  },
  ...['postgres', 'replicator', 'rewinder', 'pgbouncer_admin'].map((name) => ({
    given: `the pgcluster role ${name}`,
    input: { ...base, roles: [{ name }] },
    path: 'roles[0].name',
    says: [`"${name}" is not allowed`, 'owned by pgcluster'],
  })),
  {
    given: 'the bootstrap owner',
    input: { ...base, roles: [{ name: 'app' }] },
    path: 'roles[0].name',
    says: ['created by bootstrap.initdb'],
  },
  {
    given: 'a pg_ role',
    input: { ...base, roles: [{ name: 'pg_mine' }] },
    path: 'roles[0].name',
    says: ['reserved by PostgreSQL for predefined roles'],
  },
  {
    given: 'the role public',
    input: { ...base, roles: [{ name: 'public' }] },
    path: 'roles[0].name',
    says: ['reserved by PostgreSQL'],
  },
  {
    given: 'a role in itself',
    input: { ...base, roles: [{ name: 'a', inRoles: ['a'] }] },
    path: 'roles[0].inRoles[0]',
    says: ['member of itself'],
  },
  {
    given: 'membership in an absent role',
    input: {
      ...base,
      roles: [
        { name: 'a', inRoles: ['b'] },
        { name: 'b', ensure: 'absent' },
      ],
    },
    path: 'roles[0].inRoles[0]',
    says: ['ensure: absent'],
  },
  {
    given: 'membership in postgres',
    input: { ...base, roles: [{ name: 'a', inRoles: ['postgres'] }] },
    path: 'roles[0].inRoles[0]',
    says: ['owned by pgcluster'],
  },
  {
    given: 'a membership listed twice',
    input: { ...base, roles: [{ name: 'a', inRoles: ['b', 'b'] }] },
    path: 'roles[0].inRoles[1]',
    says: ['listed twice'],
  },
  {
    given: 'both fromEnv and fromFile',
    input: { ...base, roles: [{ name: 'a', password: { fromEnv: 'X', fromFile: 'y' } }] },
    path: 'roles[0].password',
    says: ['exactly one of fromEnv, fromFile'],
  },
  {
    given: 'an empty password reference',
    input: { ...base, roles: [{ name: 'a', password: {} }] },
    path: 'roles[0].password',
    says: ['exactly one of'],
  },
  {
    given: 'a clear-text password',
    input: { ...base, roles: [{ name: 'a', password: 'secret' }] },
    path: 'roles[0].password',
    says: ['expected object'],
  },
  {
    given: 'a bad environment variable name',
    input: { ...base, roles: [{ name: 'a', password: { fromEnv: 'A B' } }] },
    path: 'roles[0].password.fromEnv',
    says: ['environment variable name'],
  },
  {
    given: 'a password for an absent role',
    input: { ...base, roles: [{ name: 'a', ensure: 'absent', password: { fromEnv: 'A' } }] },
    path: 'roles[0].password',
    says: ['has no password'],
  },
  {
    given: 'a date without a time zone',
    input: { ...base, roles: [{ name: 'a', validUntil: '2030-01-01' }] },
    path: 'roles[0].validUntil',
    says: ['with a time zone'],
  },
  {
    given: 'connectionLimit -2',
    input: { ...base, roles: [{ name: 'a', connectionLimit: -2 }] },
    path: 'roles[0].connectionLimit',
    says: ['>= -1'],
  },
  {
    given: 'an unknown role key',
    input: { ...base, roles: [{ name: 'a', logn: true }] },
    path: 'roles[0].logn',
    says: ['did you mean "login"'],
  },
];

describe('roles[]: refused with the field, the value and what is allowed', () => {
  for (const { given, input, path, says } of REFUSED) {
    test(`GIVEN ${given} WHEN parsed THEN ${path} is refused`, () => {
      assertIssue(
        issuesOf(() => parseSpec(input)),
        path,
        says,
      );
    });
  }
});

/** Objects inside roles[], databases[] and grants[]; each must refuse keys it does not know. */
const SQL_OBJECT_PATHS: ReadonlyArray<ReadonlyArray<string | number>> = [
  ['roles', 0],
  ['roles', 0, 'password'],
  ['databases', 0],
  ['databases', 0, 'schemas', 0],
  ['databases', 0, 'extensions', 0],
  ['grants', 0],
];

function sqlSpecWithKey(
  at: ReadonlyArray<string | number>,
  key: string,
  value: unknown,
): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    ...base,
    roles: [{ name: 'r', password: { fromEnv: 'R' } }],
    databases: [{ name: 'd', schemas: [{ name: 's' }], extensions: [{ name: 'e' }] }],
    grants: [{ role: 'r', database: 'd', privileges: ['CONNECT'] }],
  };
  let target = spec as Record<string | number, unknown>;
  for (const part of at) target = target[part] as Record<string | number, unknown>;
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  return spec;
}

test('GIVEN any unknown key inside a role, database, schema, extension or grant WHEN parsed THEN it is refused by name', () => {
  const keyAndLocation = fc.constantFrom(...SQL_OBJECT_PATHS).chain((at) =>
    fc
      .oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'Name'))
      .filter((key) => !knownKeysAt(clusterSpecSchema, at).includes(key))
      .map((key) => ({ at, key })),
  );
  fc.assert(
    fc.property(keyAndLocation, fc.jsonValue(), ({ at, key }, value) => {
      const path = formatPath([...at, key]);
      const issue = issuesOf(() => parseSpec(sqlSpecWithKey(at, key, value))).find((i) => i.path === path);
      assert.ok(issue, `expected an issue at ${path}`);
      assert.match(issue.message, /^unknown key/);
    }),
    { numRuns: 200 },
  );
});
