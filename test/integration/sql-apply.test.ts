/**
 * roles[], databases[] and grants[] against a real PostgreSQL 15: the first apply makes the server
 * equal to the spec, the next one runs nothing; every change runs exactly the planned statements;
 * a database leaving the spec is kept (retain) or dropped (delete). One server, one story: each
 * test starts from the state the previous one left.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { startPostgres, withDatabase, type TestServer } from '../helpers/postgres';
import { databaseFacts, insideFacts, roleFacts, SqlHarness } from '../helpers/sql';

const PASSWORDS = { reader: 'reader-Secret-1', writer: "wr'iter\\pw" };

const READER = {
  name: 'reader',
  login: true,
  connectionLimit: 5,
  password: { fromEnv: 'READER_PW' },
  comment: "reads, doesn't write",
};
const WRITER = {
  name: 'writer',
  login: true,
  createdb: true,
  password: { fromEnv: 'WRITER_PW' },
  inRoles: ['reader'],
};
const AUDITOR = { name: 'auditor', inRoles: ['pg_read_all_stats'], validUntil: '2030-01-01T00:00:00Z' };
const ROLES = [READER, WRITER, AUDITOR];
const SHOP = {
  name: 'shop',
  owner: 'writer',
  schemas: [{ name: 'sales' }],
  extensions: [{ name: 'citext', schema: 'sales' }],
};
const DATABASES = [SHOP, { name: 'scratch', owner: 'writer', reclaimPolicy: 'delete' }, { name: 'archive' }];
const SALES_USAGE = {
  role: 'reader',
  database: 'shop',
  on: 'schema',
  schema: 'sales',
  privileges: ['USAGE'],
};
const FUTURE_SELECT = {
  role: 'reader',
  database: 'shop',
  on: 'tables',
  schema: 'sales',
  privileges: ['SELECT'],
  createdBy: 'writer',
};
const GRANTS = [
  { role: 'reader', database: 'shop', privileges: ['CONNECT'] },
  SALES_USAGE,
  { role: 'reader', database: 'shop', on: 'tables', schema: 'sales', privileges: ['SELECT'] },
  FUTURE_SELECT,
];
const SPEC = { roles: ROLES, databases: DATABASES, grants: GRANTS };

async function login(server: TestServer, user: string, password: string, database: string): Promise<void> {
  const client = new Client({ ...server.config, user, password, database });
  client.on('error', () => undefined);
  await client.connect();
  await client.end();
}

describe('SQL objects on a real server', () => {
  let server: TestServer;
  let sql: SqlHarness;

  before(async () => {
    server = await startPostgres('sql-apply');
    sql = new SqlHarness(server);
  });
  after(async () => server?.stop());

  test('GIVEN a fresh server WHEN the spec is applied THEN the server has exactly the declared objects', async () => {
    const result = await sql.applyOk(SPEC, PASSWORDS);
    assert.ok(result.executed.length > 10);
    assert.deepEqual(await roleFacts(server), {
      auditor: {
        login: false,
        superuser: false,
        createdb: false,
        createrole: false,
        inherit: true,
        replication: false,
        bypassrls: false,
        connlimit: -1,
        validUntil: '2030-01-01T00:00:00Z',
        comment: null,
        memberOf: ['pg_read_all_stats'],
      },
      reader: {
        login: true,
        superuser: false,
        createdb: false,
        createrole: false,
        inherit: true,
        replication: false,
        bypassrls: false,
        connlimit: 5,
        validUntil: null,
        comment: "reads, doesn't write",
        memberOf: [],
      },
      writer: {
        login: true,
        superuser: false,
        createdb: true,
        createrole: false,
        inherit: true,
        replication: false,
        bypassrls: false,
        connlimit: -1,
        validUntil: null,
        comment: null,
        memberOf: ['reader'],
      },
    });
    assert.deepEqual(await databaseFacts(server), {
      archive: 'postgres limit=-1 allow=true acl=-',
      scratch: 'writer limit=-1 allow=true acl=-',
      shop: 'writer limit=-1 allow=true acl={=Tc/writer,writer=CTc/writer,reader=c/writer}',
    });
    const inside = await insideFacts(server, 'shop');
    assert.equal(inside['schema sales'], 'writer acl={writer=UC/writer,reader=U/writer}');
    assert.equal(inside['extension citext'], 'sales');
    assert.equal(inside['defaults writer sales r'], '{reader=r/writer}');
  });

  test('GIVEN the applied spec WHEN applied again THEN nothing is planned and no statement runs', async () => {
    assert.deepEqual(await sql.plan(SPEC, PASSWORDS), []);
    const again = await sql.applyOk(SPEC, PASSWORDS);
    assert.deepEqual(again.executed, []);
  });

  test('GIVEN passwords set from the spec WHEN the roles log in THEN they work, and the server log never saw them', async () => {
    await login(server, 'reader', PASSWORDS.reader, 'shop');
    await login(server, 'writer', PASSWORDS.writer, 'shop');
    const log = server.log();
    assert.match(log, /statement: CREATE ROLE "reader"/, 'log_statement = all is on');
    for (const secret of [...Object.values(PASSWORDS), 'SCRAM-SHA-256$', 'PASSWORD'])
      assert.ok(!log.includes(secret), `the server log contains ${secret}`);
  });

  test('GIVEN attribute, membership and grant changes WHEN applied THEN exactly the planned statements run', async () => {
    // a table writer created, so "all tables in sales" has something to grant on
    await withDatabase(server, 'shop', async (c) => {
      await c.query(
        'set role writer; create table sales.orders (id int); insert into sales.orders values (1); reset role',
      );
    });
    const changed = {
      roles: [
        { ...READER, connectionLimit: 10, comment: undefined },
        { ...WRITER, inRoles: ['auditor'] },
        AUDITOR,
      ],
      databases: DATABASES,
      grants: [
        { role: 'reader', database: 'shop', privileges: ['CONNECT', 'TEMPORARY'] },
        SALES_USAGE,
        { role: 'reader', database: 'shop', on: 'tables', schema: 'sales', privileges: ['SELECT', 'INSERT'] },
        FUTURE_SELECT,
      ],
    };
    const planned = await sql.plan(changed, PASSWORDS);
    assert.deepEqual(planned, [
      '-: ALTER ROLE "reader" WITH CONNECTION LIMIT 10',
      '-: COMMENT ON ROLE "reader" IS NULL',
      '-: REVOKE "reader" FROM "writer"',
      '-: GRANT "auditor" TO "writer"',
      '-: GRANT TEMPORARY ON DATABASE "shop" TO "reader"',
      // SELECT is there already: the default privileges gave it when writer created the table
      'shop: GRANT INSERT ON ALL TABLES IN SCHEMA "sales" TO "reader"',
    ]);
    const result = await sql.applyOk(changed, PASSWORDS);
    assert.deepEqual(
      result.executed.map((s) => `${s.database ?? '-'}: ${s.sql}`),
      planned,
    );
    assert.equal(
      (await insideFacts(server, 'shop'))['table sales.orders'],
      '{reader=ar/writer,writer=arwdDxt/writer}',
    );
    assert.deepEqual(await sql.plan(changed, PASSWORDS), []);
    SPEC_NOW.value = changed;
  });

  test('GIVEN a role removed from the spec WHEN applied THEN its membership goes and it is dropped, last', async () => {
    const spec = {
      ...SPEC_NOW.value,
      roles: [
        { ...READER, connectionLimit: 10, comment: undefined },
        { ...WRITER, inRoles: [] },
      ],
    };
    const planned = await sql.plan(spec, PASSWORDS);
    assert.deepEqual(planned, ['-: REVOKE "auditor" FROM "writer"', '-: DROP ROLE "auditor"']);
    const result = await sql.applyOk(spec, PASSWORDS);
    assert.deepEqual(
      result.executed.map((s) => `${s.database ?? '-'}: ${s.sql}`),
      planned,
    );
    assert.ok(!('auditor' in (await roleFacts(server))));
    SPEC_NOW.value = spec;
  });

  test('GIVEN databases removed from the spec WHEN applied THEN retain keeps its data and delete drops, as planned', async () => {
    await withDatabase(server, 'archive', async (c) => {
      await c.query('create table kept (v text)');
      await c.query("insert into kept values ('data')");
    });
    const spec = { ...SPEC_NOW.value, databases: [SHOP] };
    const planned = await sql.plan(spec, PASSWORDS);
    assert.deepEqual(planned, ['-: DROP DATABASE "scratch"']);
    const result = await sql.applyOk(spec, PASSWORDS);
    assert.deepEqual(
      result.executed.map((s) => `${s.database ?? '-'}: ${s.sql}`),
      planned,
    );
    assert.deepEqual(result.notes, [
      'database "archive" left the spec: retained with its data (reclaimPolicy retain); pgcluster no longer manages it',
    ]);
    assert.deepEqual(Object.keys(await databaseFacts(server)), ['archive', 'shop']);
    const rows = await withDatabase(server, 'archive', (c) => c.query('select v from kept'));
    assert.deepEqual(rows.rows, [{ v: 'data' }]);
    assert.deepEqual(
      Object.keys(sql.managed.databases),
      ['shop'],
      'a retained database is no longer managed',
    );
    assert.deepEqual(await sql.plan(spec, PASSWORDS), [], 'and nothing is planned for it afterwards');
  });
});

/** The spec the story has reached (tests build on each other). */
const SPEC_NOW: { value: { roles: object[]; databases: object[]; grants: object[] } } = { value: SPEC };
