import { describe, test } from 'node:test';
import { parseSpec } from './index';
import { assertIssue, issuesOf } from '../../test/helpers/spec-issues';

const base = { name: 'orders' };
const long = 'r'.repeat(64);

interface Refusal {
  given: string;
  input: object;
  path: string;
  says: string[];
}

const REFUSED: Refusal[] = [
  ...['postgres', 'template0', 'template1'].map((name) => ({
    given: `the database ${name}`,
    input: { ...base, databases: [{ name }] },
    path: 'databases[0].name',
    says: [`"${name}" is not allowed`, 'owned by pgcluster or PostgreSQL'],
  })),
  {
    given: 'a duplicate database',
    input: { ...base, databases: [{ name: 'd' }, { name: 'd' }] },
    path: 'databases[1].name',
    says: ['duplicates databases[0].name'],
  },
  {
    given: 'a 64-byte database name',
    input: { ...base, databases: [{ name: long }] },
    path: 'databases[0].name',
    says: ['at most 63 bytes'],
  },
  {
    given: 'ensure absent without reclaimPolicy delete',
    input: { ...base, databases: [{ name: 'd', ensure: 'absent' }] },
    path: 'databases[0].ensure',
    says: ['only with reclaimPolicy: delete'],
  },
  {
    given: 'an owner that is ensure absent',
    input: { ...base, roles: [{ name: 'o', ensure: 'absent' }], databases: [{ name: 'd', owner: 'o' }] },
    path: 'databases[0].owner',
    says: ['"o" is not allowed', 'ensure: absent'],
  },
  {
    given: 'locale and lcCollate together',
    input: { ...base, databases: [{ name: 'd', locale: 'C', lcCollate: 'C' }] },
    path: 'databases[0].locale',
    says: ['either locale or lcCollate/lcCtype'],
  },
  {
    given: 'the bootstrap database absent',
    input: { ...base, databases: [{ name: 'app', ensure: 'absent', reclaimPolicy: 'delete' }] },
    path: 'databases[0].ensure',
    says: ['bootstrap database'],
  },
  {
    given: 'reclaimPolicy delete for the bootstrap database',
    input: { ...base, databases: [{ name: 'app', reclaimPolicy: 'delete' }] },
    path: 'databases[0].reclaimPolicy',
    says: ['"delete" is not allowed', 'never dropped'],
  },
  {
    given: 'another owner for the bootstrap database',
    input: { ...base, databases: [{ name: 'app', owner: 'x' }] },
    path: 'databases[0].owner',
    says: ['bootstrap.initdb.owner'],
  },
  {
    given: 'a pg_ schema',
    input: { ...base, databases: [{ name: 'd', schemas: [{ name: 'pg_mine' }] }] },
    path: 'databases[0].schemas[0].name',
    says: ['reserved by PostgreSQL for system schemas'],
  },
  {
    given: 'a duplicate extension',
    input: { ...base, databases: [{ name: 'd', extensions: [{ name: 'x' }, { name: 'x' }] }] },
    path: 'databases[0].extensions[1].name',
    says: ['duplicates'],
  },
  {
    given: 'schemas in a database that allows no connections',
    input: { ...base, databases: [{ name: 'd', allowConnections: false, schemas: [{ name: 's' }] }] },
    path: 'databases[0].allowConnections',
    says: ['allow connections or remove them'],
  },
];

describe('databases[]: refused with the field, the value and what is allowed', () => {
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
