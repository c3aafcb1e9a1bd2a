import { describe, test } from 'node:test';
import { parseSpec } from './index';
import { assertIssue, issuesOf } from '../../test/helpers/spec-issues';

const base = { name: 'orders' };

interface Refusal {
  given: string;
  input: object;
  path: string;
  says: string[];
}

const REFUSED: Refusal[] = [
  {
    given: 'a grant to postgres',
    input: { ...base, grants: [{ role: 'postgres', database: 'd', privileges: ['CONNECT'] }] },
    path: 'grants[0].role',
    says: ['owned by pgcluster'],
  },
  {
    given: 'a grant to public',
    input: { ...base, grants: [{ role: 'public', database: 'd', privileges: ['CONNECT'] }] },
    path: 'grants[0].role',
    says: ['not a role name'],
  },
  {
    given: 'a grant to an absent role',
    input: {
      ...base,
      roles: [{ name: 'r', ensure: 'absent' }],
      grants: [{ role: 'r', database: 'd', privileges: ['CONNECT'] }],
    },
    path: 'grants[0].role',
    says: ['ensure: absent'],
  },
  {
    given: 'a grant in an absent database',
    input: {
      ...base,
      databases: [{ name: 'd', ensure: 'absent', reclaimPolicy: 'delete' }],
      grants: [{ role: 'r', database: 'd', privileges: ['CONNECT'] }],
    },
    path: 'grants[0].database',
    says: ['ensure: absent'],
  },
  {
    given: 'a table privilege on a database',
    input: { ...base, grants: [{ role: 'r', database: 'd', privileges: ['SELECT'] }] },
    path: 'grants[0].privileges[0]',
    says: ['on: database takes CONNECT, CREATE, TEMPORARY or ALL'],
  },
  {
    given: 'a lowercase privilege',
    input: { ...base, grants: [{ role: 'r', database: 'd', privileges: ['connect'] }] },
    path: 'grants[0].privileges[0]',
    says: ['"connect" is not allowed', '"CONNECT"'],
  },
  {
    given: 'ALL with another privilege',
    input: { ...base, grants: [{ role: 'r', database: 'd', privileges: ['ALL', 'CONNECT'] }] },
    path: 'grants[0].privileges[0]',
    says: ['ALL already includes'],
  },
  {
    given: 'no privileges',
    input: { ...base, grants: [{ role: 'r', database: 'd', privileges: [] }] },
    path: 'grants[0].privileges',
    says: ['>= 1'],
  },
  {
    given: 'on: tables without a schema',
    input: { ...base, grants: [{ role: 'r', database: 'd', on: 'tables', privileges: ['SELECT'] }] },
    path: 'grants[0].schema',
    says: ['is required for on: tables'],
  },
  {
    given: 'on: database with a schema',
    input: { ...base, grants: [{ role: 'r', database: 'd', schema: 's', privileges: ['CONNECT'] }] },
    path: 'grants[0].schema',
    says: ['takes no schema'],
  },
  {
    given: 'createdBy on a schema',
    input: {
      ...base,
      grants: [
        { role: 'r', database: 'd', on: 'schema', schema: 's', privileges: ['USAGE'], createdBy: 'o' },
      ],
    },
    path: 'grants[0].createdBy',
    says: ['default privileges apply to on: tables, sequences, functions'],
  },
  {
    given: 'createdBy the grantee itself',
    input: {
      ...base,
      grants: [
        { role: 'r', database: 'd', on: 'tables', schema: 's', privileges: ['SELECT'], createdBy: 'r' },
      ],
    },
    path: 'grants[0].createdBy',
    says: ['always has every privilege'],
  },
  {
    given: 'two entries for one target',
    input: {
      ...base,
      grants: [
        { role: 'r', database: 'd', privileges: ['CONNECT'] },
        { role: 'r', database: 'd', privileges: ['TEMPORARY'] },
      ],
    },
    path: 'grants[1]',
    says: ['duplicates grants[0]', 'one entry per role and target'],
  },
];

describe('grants[]: refused with the field, the value and what is allowed', () => {
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
