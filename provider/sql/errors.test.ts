import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeFailure, formatFailure } from './errors';

const pgError = (code: string, message: string, detail?: string) =>
  Object.assign(new Error(message), { code, detail });

describe('describeFailure: SQLSTATE -> meaning and hint', () => {
  const CASES: ReadonlyArray<{
    kind: Parameters<typeof describeFailure>[0]['kind'];
    error: unknown;
    says: string[];
  }> = [
    {
      kind: 'drop-role',
      error: pgError(
        '2BP01',
        'role "x" cannot be dropped because some objects depend on it',
        'owner of table t\n1 object in database d',
      ),
      says: [
        'drop role "x": 2BP01 dependent objects still exist',
        'owner of table t; 1 object in database d',
        'REASSIGN OWNED BY',
        'DROP OWNED BY',
      ],
    },
    {
      kind: 'drop-database',
      error: pgError(
        '55006',
        'database "x" is being accessed by other users',
        'There is 1 other session using the database.',
      ),
      says: ['drop database "x": 55006 object in use', 'pg_terminate_backend'],
    },
    {
      kind: 'grant-membership',
      error: pgError('42704', 'role "nope" does not exist'),
      says: ['42704 undefined object', 'declare it in roles[]'],
    },
    {
      kind: 'grant',
      error: pgError('3D000', 'database "nope" does not exist'),
      says: ['3D000 database does not exist'],
    },
    {
      kind: 'grant',
      error: pgError('3F000', 'schema "s" does not exist'),
      says: ['3F000 schema does not exist', 'schemas[]'],
    },
    {
      kind: 'create-role',
      error: pgError('42710', 'role "x" already exists'),
      says: ['42710 duplicate object', 'run up again'],
    },
    {
      kind: 'set-password',
      error: pgError('42501', 'permission denied to set parameter "log_statement"'),
      says: ['42501', 'superuser'],
    },
    {
      kind: 'create-extension',
      error: pgError('58P01', 'could not open extension control file'),
      says: ['58P01 undefined file', 'install its package'],
    },
    {
      kind: 'connect',
      error: pgError('08006', 'connection failure'),
      says: ['connect to database "x": 08006 connection exception'],
    },
    {
      kind: 'connect',
      error: new Error('connect ECONNREFUSED 127.0.0.1:1'),
      says: ['no SQLSTATE', 'ECONNREFUSED'],
    },
    { kind: 'grant', error: pgError('XX000', 'internal'), says: ['XX000 unexpected error: internal'] },
  ];
  for (const c of CASES) {
    test(`GIVEN ${c.kind} failing with ${(c.error as { code?: string }).code ?? 'no code'} WHEN described THEN it says ${c.says[0]}`, () => {
      const object = c.kind.endsWith('role') || c.kind.endsWith('membership') ? 'role "x"' : 'database "x"';
      const text = formatFailure(describeFailure({ kind: c.kind, object, keys: ['k'] }, c.error));
      for (const fragment of c.says)
        assert.ok(text.includes(fragment), `"${text}" should contain "${fragment}"`);
      assert.ok(!text.includes('\n'), 'one line');
    });
  }
});
