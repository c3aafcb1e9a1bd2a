/**
 * Watermarks on a real PostgreSQL 15: after an apply, a re-plan connects to no database whose WAL
 * is quiet, and every kind of change made by hand inside a database (a revoke, a new table, a
 * schema owner, a dropped extension, default privileges, a role renamed in the shared catalogs, a
 * database recreated) still shows in the next plan, with only that database read. A transaction
 * still open when an apply marks a database leaves it without a watermark; unreadable WAL or
 * another timeline means every database is read.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { insideDatabases } from '../../provider/sql/inside';
import { emptyManaged } from '../../provider/sql/managed';
import { checkWatermarks } from '../../provider/sql/watermarks/observe';
import { resetServer, startPostgres, withDatabase, type TestServer } from '../helpers/postgres';
import { SqlHarness } from '../helpers/sql';

const DBS = ['d1', 'd2', 'd3'];

const spec = {
  roles: [{ name: 'owner' }, { name: 'reader', login: true }],
  databases: DBS.map((name) => ({
    name,
    owner: 'owner',
    schemas: [{ name: 'app' }],
    extensions: [{ name: 'pg_trgm', schema: 'app' }],
  })),
  grants: DBS.flatMap((database) => [
    { role: 'reader', database, privileges: ['CONNECT'] },
    { role: 'reader', database, on: 'schema', schema: 'app', privileges: ['USAGE'] },
    { role: 'reader', database, on: 'tables', schema: 'app', privileges: ['SELECT'] },
    { role: 'reader', database, on: 'tables', schema: 'app', createdBy: 'owner', privileges: ['SELECT'] },
  ]),
};

/** Connections opened while `fn` runs, counted on node-postgres's Client. */
async function connections<T>(fn: () => Promise<T>): Promise<{ value: T; opened: string[] }> {
  const opened: string[] = [];
  const { connect } = Client.prototype;
  Client.prototype.connect = function (this: Client, ...args: unknown[]) {
    opened.push(this.database ?? '');
    return (connect as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof connect;
  try {
    return { value: await fn(), opened };
  } finally {
    Client.prototype.connect = connect;
  }
}

describe('watermarks on a real server', () => {
  let server: TestServer;
  let sql: SqlHarness;

  before(async () => {
    server = await startPostgres('sql-watermarks', { logStatements: false });
  });
  after(async () => server?.stop());
  beforeEach(async () => {
    await resetServer(server);
    sql = new SqlHarness(server);
    sql.managed = emptyManaged();
    await sql.applyOk(spec);
  });

  test('GIVEN an apply WHEN re-planned and re-applied THEN no database is connected to and nothing runs', async () => {
    assert.deepEqual(Object.keys(sql.managed.watermarks?.databases ?? {}).sort(), DBS);
    const plan = await connections(() => sql.planSkipping(spec));
    assert.deepEqual(plan.value, { steps: [], skipped: DBS });
    assert.deepEqual(plan.opened, ['postgres']);
    const again = await connections(() => sql.applyOk(spec));
    assert.deepEqual(again.value.executed, []);
    assert.deepEqual(again.value.skipped, DBS);
    assert.deepEqual(again.opened, ['postgres']);
  });

  const drifts: Array<[string, string, string, string[]]> = [
    [
      'a revoke',
      'd2',
      'revoke usage on schema app from reader',
      ['d2: GRANT USAGE ON SCHEMA "app" TO "reader"'],
    ],
    [
      'a new table',
      'd1',
      'create table app.t (id int)',
      ['d1: GRANT SELECT ON ALL TABLES IN SCHEMA "app" TO "reader"'],
    ],
    [
      'a schema owner',
      'd3',
      'alter schema app owner to postgres',
      ['d3: ALTER SCHEMA "app" OWNER TO "owner"'],
    ],
    ['a dropped extension', 'd2', 'drop extension pg_trgm', ['d2: CREATE EXTENSION "pg_trgm" SCHEMA "app"']],
    [
      'default privileges',
      'd1',
      'alter default privileges for role owner in schema app revoke select on tables from reader',
      ['d1: ALTER DEFAULT PRIVILEGES FOR ROLE "owner" IN SCHEMA "app" GRANT SELECT ON TABLES TO "reader"'],
    ],
  ];
  for (const [what, database, statement, expected] of drifts) {
    test(`GIVEN ${what} by hand in ${database} WHEN re-planned THEN only ${database} is read and the drift is planned; the apply restores it`, async () => {
      await withDatabase(server, database, (c) => c.query(statement));
      const plan = await sql.planSkipping(spec);
      assert.deepEqual(plan.steps, expected);
      assert.deepEqual(
        plan.skipped,
        DBS.filter((d) => d !== database),
      );
      const applied = await sql.applyOk(spec);
      assert.deepEqual(applied.executed.length, expected.length);
      assert.deepEqual(await sql.planSkipping(spec), { steps: [], skipped: DBS });
    });
  }

  test('GIVEN a role renamed by hand (shared catalogs only) WHEN re-planned THEN every database that names it is read', async () => {
    await withDatabase(server, 'postgres', (c) => c.query('alter role reader rename to someone'));
    const plan = await sql.planSkipping(spec);
    assert.deepEqual(plan.skipped, []);
    for (const d of DBS)
      assert.ok(plan.steps.includes(`${d}: GRANT USAGE ON SCHEMA "app" TO "reader"`), plan.steps.join('\n'));
    await sql.applyOk(spec);
    const usage = await withDatabase(server, 'd3', (c) =>
      c.query<{ ok: boolean }>("select has_schema_privilege('reader', 'app', 'USAGE') as ok"),
    );
    assert.deepEqual(usage.rows, [{ ok: true }]);
    assert.deepEqual(await sql.planSkipping(spec), { steps: [], skipped: DBS });
  });

  test('GIVEN a database dropped and recreated by hand WHEN re-planned THEN it is read and rebuilt', async () => {
    await withDatabase(server, 'postgres', async (c) => {
      await c.query('drop database d1');
      await c.query('create database d1 owner owner');
    });
    const plan = await sql.planSkipping(spec);
    assert.deepEqual(plan.skipped, ['d2', 'd3']);
    assert.ok(plan.steps.includes('d1: CREATE SCHEMA "app" AUTHORIZATION "owner"'), plan.steps.join('\n'));
  });

  test('GIVEN a change still uncommitted when the apply marks the database WHEN it commits later THEN the next plan finds it', async () => {
    const open = new Client({ ...server.config, database: 'd2' });
    await open.connect();
    try {
      await open.query('begin; revoke usage on schema app from reader');
      const applied = await sql.applyOk(spec);
      assert.deepEqual(applied.executed, [], 'the revoke is not visible yet');
      assert.equal(sql.managed.watermarks?.databases.d2, undefined, 'd2 is left without a watermark');
      await open.query('commit');
    } finally {
      await open.end();
    }
    const plan = await sql.planSkipping(spec);
    assert.deepEqual(plan.steps, ['d2: GRANT USAGE ON SCHEMA "app" TO "reader"']);
    assert.deepEqual(plan.skipped, ['d1', 'd3']);
  });

  test('GIVEN a spec change for one database WHEN re-planned THEN that database is read, the others skipped', async () => {
    const changed = {
      ...spec,
      grants: spec.grants.map((g) =>
        g.database === 'd3' && g.on === 'schema' ? { ...g, privileges: ['USAGE', 'CREATE'] } : g,
      ),
    };
    const plan = await sql.planSkipping(changed);
    assert.deepEqual(plan.steps, ['d3: GRANT CREATE ON SCHEMA "app" TO "reader"']);
    assert.deepEqual(plan.skipped, ['d1', 'd2']);
  });

  test('GIVEN WAL that cannot be read, another timeline or another server WHEN re-planned THEN every database is read', async () => {
    const marks = sql.managed.watermarks;
    assert.ok(marks);
    // A position 1 MB back, in a segment a checkpoint has since removed.
    const gone = await withDatabase(server, 'postgres', async (c) => {
      for (let i = 0; i < 2; i++) await c.query('select pg_switch_wal(); checkpoint');
      const { rows } = await c.query<{ lsn: string }>(
        'select (pg_current_wal_insert_lsn() - 1048576::numeric)::text as lsn',
      );
      return rows[0]!.lsn;
    });
    const lsn = gone;
    const variants = {
      recycled: { ...marks, databases: { ...marks.databases, d1: { ...marks.databases.d1!, lsn } } },
      timeline: { ...marks, timeline: '00000002' },
      server: { ...marks, system: '1' },
    };
    for (const [what, watermarks] of Object.entries(variants)) {
      sql.managed = { ...sql.managed, watermarks };
      const plan = await sql.planSkipping(spec);
      assert.deepEqual(plan, { steps: [], skipped: [] }, what);
    }
    const check = await withDatabase(server, 'postgres', (c) => {
      const desired = sql.desired(spec);
      return checkWatermarks(c, desired, insideDatabases(desired), variants.recycled);
    });
    assert.match(
      check.reason ?? '',
      /^the WAL since the last apply cannot be read: .*(removed|could not|No such file)/,
    );
    await withDatabase(server, 'd3', (c) => c.query('revoke usage on schema app from reader'));
    sql.managed = { ...sql.managed, watermarks: variants.recycled };
    assert.deepEqual((await sql.planSkipping(spec)).steps, ['d3: GRANT USAGE ON SCHEMA "app" TO "reader"']);
  });
});
