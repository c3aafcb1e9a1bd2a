/**
 * Safety of roles[], databases[] and grants[] on a real PostgreSQL 15: hostile names round-trip and
 * inject nothing; drift made by hand shows up in the observed state and the plan, and the next apply
 * restores the spec; a failing statement (a role that owns objects, a database in use) is reported
 * with its SQLSTATE meaning and a hint while every other statement still runs.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { formatFailure } from '../../provider/sql/errors';
import { observeRoles } from '../../provider/sql/roles/observe';
import { attributeChanges } from '../../provider/sql/roles/plan';
import { emptyManaged } from '../../provider/sql/managed';
import { reconcileSql } from '../../provider/sql/reconcile';
import { resetServer, startPostgres, withDatabase, type TestServer } from '../helpers/postgres';
import { databaseFacts, roleFacts, SqlHarness, where } from '../helpers/sql';

const HOSTILE = [
  'a"b',
  'x"; DROP ROLE postgres; --',
  "Robert'); DROP TABLE canary;--",
  'with space',
  'select',
  'PUBLIC',
  'ü日本🐘',
  'back\\slash',
  '$$dollar$$',
  ';',
  'UPPER',
  'upper',
  `${'é'.repeat(31)}x`, // 63 bytes
];

describe('SQL safety on a real server', () => {
  let server: TestServer;
  let sql: SqlHarness;

  before(async () => {
    server = await startPostgres('sql-safety');
  });
  after(async () => server?.stop());
  beforeEach(async () => {
    await resetServer(server);
    sql = new SqlHarness(server);
    sql.managed = emptyManaged();
  });

  test('GIVEN hostile role, database and schema names and comments WHEN applied THEN they round-trip exactly and inject nothing', async () => {
    await withDatabase(server, 'postgres', (c) => c.query('create table if not exists canary (v int)'));
    const spec = {
      roles: HOSTILE.map((name, i) => ({
        name,
        login: i % 2 === 0,
        comment: `${name} -- it's \\ "${i}"`,
        inRoles: i > 0 ? [HOSTILE[i - 1]] : [],
      })),
      databases: [
        {
          name: HOSTILE[1],
          owner: HOSTILE[2],
          reclaimPolicy: 'delete',
          schemas: [{ name: HOSTILE[3], owner: HOSTILE[4] }],
        },
      ],
      grants: [
        { role: HOSTILE[5], database: HOSTILE[1], privileges: ['CONNECT'] },
        { role: HOSTILE[6], database: HOSTILE[1], on: 'schema', schema: HOSTILE[3], privileges: ['USAGE'] },
        {
          role: HOSTILE[7],
          database: HOSTILE[1],
          on: 'tables',
          schema: HOSTILE[3],
          privileges: ['SELECT'],
          createdBy: HOSTILE[8],
        },
      ],
    };
    await sql.applyOk(spec);
    const roles = await roleFacts(server);
    assert.deepEqual(Object.keys(roles).sort(), [...HOSTILE].sort());
    HOSTILE.forEach((name, i) => {
      assert.equal(roles[name]?.comment, `${name} -- it's \\ "${i}"`);
      assert.deepEqual(roles[name]?.memberOf, i > 0 ? [HOSTILE[i - 1]] : []);
    });
    const databases = await databaseFacts(server);
    assert.deepEqual(Object.keys(databases), [HOSTILE[1]]);
    assert.ok(
      /[{,]"?PUBLIC=c\//.test(databases[HOSTILE[1] as string] ?? ''),
      'granted to the role named "PUBLIC", not to PUBLIC',
    );
    const intact = await withDatabase(server, 'postgres', (c) =>
      c.query<{ canary: string | null; su: boolean }>(
        "select to_regclass('canary')::text as canary, (select rolsuper from pg_roles where rolname = 'postgres') as su",
      ),
    );
    assert.deepEqual(intact.rows, [{ canary: 'canary', su: true }]);
    assert.deepEqual(await sql.plan(spec), [], 'a second apply runs nothing');
    const gone = await sql.applyOk({});
    assert.equal(gone.executed.filter((s) => s.kind === 'drop-role').length, HOSTILE.length);
  });

  test('GIVEN a role altered by hand WHEN observed and planned THEN the drift shows, and the next apply restores the spec', async () => {
    const spec = {
      roles: [
        { name: 'group' },
        { name: 'other' },
        { name: 'drifty', login: true, connectionLimit: 3, inRoles: ['group'] },
      ],
      databases: [{ name: 'd1', owner: 'drifty' }],
      grants: [{ role: 'other', database: 'd1', privileges: ['CONNECT'] }],
    };
    await sql.applyOk(spec);
    await withDatabase(server, 'postgres', async (c) => {
      await c.query(
        `alter role drifty superuser nologin connection limit 1 valid until '2001-02-03T04:05:06Z';
         comment on role drifty is 'by hand'; revoke "group" from drifty; grant other to drifty;
         alter database d1 owner to postgres; grant create on database d1 to other`,
      );
    });
    const seen = await withDatabase(server, 'postgres', (c) => observeRoles(c, ['drifty']));
    const want = sql.desired(spec).roles.find((r) => r.name === 'drifty')!;
    assert.deepEqual(attributeChanges(want.attributes, seen.get('drifty')!.attributes), {
      login: true,
      superuser: false,
      connectionLimit: 3,
      validUntil: null,
    });
    const planned = await sql.plan(spec);
    assert.deepEqual(planned, [
      `-: ALTER ROLE "drifty" WITH LOGIN NOSUPERUSER CONNECTION LIMIT 3 VALID UNTIL 'infinity'`,
      '-: COMMENT ON ROLE "drifty" IS NULL',
      '-: REVOKE "other" FROM "drifty"',
      '-: GRANT "group" TO "drifty"',
      '-: ALTER DATABASE "d1" OWNER TO "drifty"',
      '-: REVOKE CREATE ON DATABASE "d1" FROM "other"',
    ]);
    const result = await sql.applyOk(spec);
    assert.deepEqual(result.executed.map(where), planned);
    assert.deepEqual(await sql.plan(spec), []);
    const now = await withDatabase(server, 'postgres', (c) =>
      c.query("select rolsuper, rolvaliduntil::text as until from pg_roles where rolname = 'drifty'"),
    );
    assert.deepEqual(
      now.rows,
      [{ rolsuper: false, until: 'infinity' }],
      'PostgreSQL says "never" as infinity',
    );
  });

  test('GIVEN a removed role that owns a table WHEN applied THEN 2BP01 with the reassign hint is reported, and every other change is applied', async () => {
    await sql.applyOk({ roles: [{ name: 'owner1', login: true }, { name: 'keep1' }] });
    await withDatabase(server, 'postgres', (c) =>
      c.query(
        'create schema stuff authorization owner1; set role owner1; create table stuff.t (v int); reset role',
      ),
    );
    const next = { roles: [{ name: 'keep1', createdb: true }, { name: 'new1' }] };
    const result = await sql.apply(next);
    assert.equal(result.failures.length, 1);
    const failure = result.failures[0]!;
    assert.equal(failure.sqlstate, '2BP01');
    assert.equal(failure.meaning, 'dependent objects still exist');
    assert.match(
      formatFailure(failure),
      /^drop role "owner1": 2BP01 dependent objects still exist: .*owner of schema stuff; owner of table stuff\.t/,
    );
    assert.match(failure.hint ?? '', /REASSIGN OWNED BY <it> TO <another role>; DROP OWNED BY <it>/);
    assert.deepEqual(result.executed.map(where), [
      '-: CREATE ROLE "new1" WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT -1',
      '-: ALTER ROLE "keep1" WITH CREATEDB',
    ]);
    assert.ok('owner1' in sql.managed.roles, 'the failed drop is tried again next time');
    await withDatabase(server, 'postgres', (c) =>
      c.query('reassign owned by owner1 to postgres; drop owned by owner1'),
    );
    const retry = await sql.applyOk(next);
    assert.deepEqual(retry.executed.map(where), ['-: DROP ROLE "owner1"']);
  });

  test('GIVEN a database to drop that a session uses WHEN applied THEN 55006 with a hint, the other changes applied, and a retry drops it', async () => {
    await sql.applyOk({ databases: [{ name: 'busy', reclaimPolicy: 'delete' }] });
    const session = new Client({ ...server.config, database: 'busy' });
    session.on('error', () => undefined);
    await session.connect();
    try {
      const result = await sql.apply({ roles: [{ name: 'r1' }] });
      assert.deepEqual(
        result.failures.map((f) => [f.action, f.sqlstate]),
        [['drop database "busy"', '55006']],
      );
      assert.match(result.failures[0]?.hint ?? '', /pg_terminate_backend/);
      assert.deepEqual(result.executed.map(where), [
        '-: CREATE ROLE "r1" WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT -1',
      ]);
    } finally {
      await session.end();
    }
    const retry = await sql.applyOk({ roles: [{ name: 'r1' }] });
    assert.deepEqual(retry.executed.map(where), ['-: DROP DATABASE "busy"']);
  });

  test('GIVEN several independent failures WHEN applied THEN all are reported together and the rest is applied', async () => {
    const result = await sql.apply({
      roles: [
        { name: 'm1', inRoles: ['no_such_group'] },
        { name: 'ok1', login: true },
      ],
      databases: [{ name: 'withext', extensions: [{ name: 'no_such_extension' }] }],
      grants: [{ role: 'ok1', database: 'no_such_db', privileges: ['CONNECT'] }],
    });
    assert.deepEqual(result.failures.map((f) => `${f.action}: ${f.sqlstate}`).sort(), [
      'create extension "no_such_extension" in database "withext": 0A000',
      'grant a membership to role "m1": 42704',
      'grant privileges of "ok1" on database "no_such_db": 3D000',
    ]);
    assert.deepEqual(Object.keys(await roleFacts(server)).sort(), ['m1', 'ok1']);
    assert.deepEqual(Object.keys(await databaseFacts(server)), ['withext']);
  });

  test('GIVEN two passwords in one batch, one for a role that cannot be created WHEN applied THEN the other is still set', async () => {
    const desired = sql.desired(
      {
        roles: [
          { name: 'good', login: true, password: { fromEnv: 'X' } },
          { name: 'bad', login: true, password: { fromEnv: 'Y' } },
        ],
      },
      { good: 'good-pw', bad: 'bad-pw' },
    );
    desired.roles[1]!.name = 'pg_bad'; // refused by the spec rules; PostgreSQL refuses it too (42939)
    const result = await reconcileSql(server.config, desired, emptyManaged());
    assert.deepEqual(
      result.failures.map((f) => `${f.action}: ${f.sqlstate}`),
      ['create role "pg_bad": 42939', 'set the password of role "pg_bad": 42939'],
    );
    const client = new Client({ ...server.config, user: 'good', password: 'good-pw' });
    await client.connect();
    await client.end();
    assert.ok(result.managed.roles.good?.passwordHash, 'the password that was set is fingerprinted');
    assert.equal(result.managed.roles.pg_bad?.passwordHash, undefined);
  });
});
