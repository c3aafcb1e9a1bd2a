/**
 * The Role, Database and Grant resources, driven over gRPC two ways with the same cases: as Node
 * dynamic resources, serialized the way the engine does it, through the real @pulumi/pulumi
 * dynamic-provider host; and as the provider plugin's own custom resources (pgcluster:index:Role,
 * ...), through bin/pulumi-resource-pgcluster. Against a real PostgreSQL:
 * check (spec rules, connection), create, read equal to what was declared, drift by hand seen by
 * read (and as the inputs of the next diff: what `pulumi refresh` then `pulumi preview` show),
 * update puts it back, delete (drop / retain / revoke). Uses dist/ (run `npm run build` first).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { startDynamicHost, startPluginResourceHost, type DynamicHost } from '../helpers/dynamic-host';
import { reveal, Secret, secret, UNKNOWN, type PropertyMap } from '../helpers/property-values';
import { startPostgres, withDatabase, type TestServer } from '../helpers/postgres';

const { roleProvider } = require('../../dist/pulumi/role') as typeof import('../../provider/pulumi/role');
const { databaseProvider } =
  require('../../dist/pulumi/database') as typeof import('../../provider/pulumi/database');
const { grantProvider } = require('../../dist/pulumi/grant') as typeof import('../../provider/pulumi/grant');
const { roleChanges } =
  require('../../dist/pulumi/role-impl') as typeof import('../../provider/pulumi/role-impl');
const { databaseChanges } =
  require('../../dist/pulumi/database-impl') as typeof import('../../provider/pulumi/database-impl');
const { grantChanges } =
  require('../../dist/pulumi/grant-impl') as typeof import('../../provider/pulumi/grant-impl');

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let server: TestServer;
const hosts: DynamicHost[] = [];
const connection = () => ({
  host: '127.0.0.1',
  port: server.port,
  user: 'postgres',
  password: secret(server.config.password as string),
});
const sql = (q: string, db = 'postgres') => withDatabase(server, db, (c) => c.query(q));
const one = async (q: string, db = 'postgres') => (await sql(q, db)).rows[0] as Obj;

type Via = 'dynamic resource' | 'plugin resource';
const VIAS: readonly Via[] = ['dynamic resource', 'plugin resource'];

async function host(
  via: Via,
  provider: Parameters<typeof startDynamicHost>[0],
  type: string,
): Promise<DynamicHost> {
  const h =
    via === 'dynamic resource'
      ? await startDynamicHost(provider, { module: 'pgcluster', type, name: `t-${type}` })
      : await startPluginResourceHost(type, { name: `p-${type}` });
  hosts.push(h);
  return h;
}

/** check → create, as the engine does; returns id, outputs and the checked inputs. */
async function createChecked(h: DynamicHost, news: PropertyMap) {
  const { inputs, failures } = await h.check({}, news);
  assert.deepEqual(failures, []);
  const { id, outs } = await h.create(inputs);
  return { id, outs, inputs };
}

/** refresh (read), then preview against the same inputs: what the engine shows after drift. */
async function refreshThenDiff(h: DynamicHost, id: string, outs: PropertyMap, inputs: PropertyMap) {
  const read = await h.read(id, outs, inputs);
  assert.equal(read.id, id);
  const diff = await h.diff(id, read.props, inputs, { oldInputs: read.inputs });
  return { read, diff };
}

for (const via of VIAS) {
  // A server of its own for each way in: the cases create the same roles and databases.
  describe(`${via}s`, () => {
    before(async () => {
      server = await startPostgres('sql-resources');
    });

    after(async () => {
      for (const h of hosts.splice(0)) await h.stop();
      await server?.stop();
    });

    describe(`Role resource (${via})`, () => {
      let h: DynamicHost;
      before(async () => {
        h = await host(via, roleProvider, 'Role');
      });

      test('GIVEN bad inputs WHEN check THEN each failure names the field, the value and what is allowed', async () => {
        const limit = await h.check({}, { connection: connection(), name: 'x', connectionLimit: -5 });
        assert.deepEqual(
          limit.failures.map((f) => f.property),
          ['connectionLimit'],
        );
        assert.match(limit.failures[0]!.reason, /connectionLimit: -5 .*>= -1/);
        const reserved = await h.check({}, { connection: connection(), name: 'pg_mine' });
        assert.deepEqual(
          reserved.failures.map((f) => f.property),
          ['name'],
        );
        assert.match(reserved.failures[0]!.reason, /"pg_mine" is not allowed: .*reserved/);
        const noConn = await h.check({}, { name: 'x' });
        assert.deepEqual(noConn.failures, [{ property: 'connection', reason: 'connection is required' }]);
        // A preview before the cluster exists: the connection is unknown, the entry is still checked.
        const preview = await h.check({}, { connection: UNKNOWN, name: 'x', login: true }, { preview: true });
        assert.deepEqual(preview.failures, []);
        assert.equal(preview.inputs.createdb, false);
        const previewBad = await h.check({}, { connection: UNKNOWN, name: 'pg_x' }, { preview: true });
        assert.deepEqual(
          previewBad.failures.map((f) => f.property),
          ['name'],
        );
      });

      test('GIVEN a login role WHEN created, altered by hand, refreshed and updated THEN drift is shown and put back', async () => {
        await sql('create role parent_a; create role parent_b');
        const password = 'S3cret pass; with quotes \' and "';
        const news = {
          connection: connection(),
          name: 'Alice Ünïcode',
          login: true,
          connectionLimit: 3,
          inRoles: ['parent_a'],
          comment: 'the app',
          password: secret(password),
        };
        const { id, outs, inputs } = await createChecked(h, news);
        assert.equal(id, 'Alice Ünïcode');
        assert.ok((outs as Obj).password instanceof Secret, 'the password comes back a secret');
        assert.ok(
          (outs as Obj).connection instanceof Secret || (outs as Obj).connection.password instanceof Secret,
        );
        assert.equal((inputs as Obj).createdb, false, 'check fills in the defaults');
        const c = new Client({ ...server.config, user: 'Alice Ünïcode', password, database: 'postgres' });
        await c.connect();
        await c.end();

        // No drift: read gives back the declared role, and diff sees nothing.
        const clean = await refreshThenDiff(h, id, outs, inputs);
        assert.equal(clean.diff.changes, false);

        // By hand: no login, another limit, another membership, no comment.
        await sql(
          `alter role "Alice Ünïcode" nologin connection limit 7; revoke parent_a from "Alice Ünïcode"; ` +
            `grant parent_b to "Alice Ünïcode"; comment on role "Alice Ünïcode" is null`,
        );
        const drift = await refreshThenDiff(h, id, outs, inputs);
        const seen = drift.read.props as Obj;
        assert.equal(seen.login, false);
        assert.equal(seen.connectionLimit, 7);
        assert.deepEqual(seen.inRoles, ['parent_b']);
        assert.equal(seen.comment, undefined);
        assert.deepEqual(
          drift.read.inputs,
          Object.fromEntries(Object.entries(seen).filter(([k]) => k !== 'passwordHash')),
        );
        assert.equal(drift.diff.changes, true);
        assert.deepEqual(drift.diff.replaces, []);
        assert.deepEqual(roleChanges(reveal(seen) as never, reveal(inputs) as never), [
          'login',
          'connectionLimit',
          'inRoles',
          'comment',
        ]);

        const updated = await h.update(id, drift.read.props, inputs, drift.read.inputs);
        const role = await one(
          `select rolcanlogin, rolconnlimit, shobj_description(oid, 'pg_authid') as comment,
              array(select b.rolname::text from pg_auth_members m join pg_roles b on b.oid = m.roleid where m.member = r.oid) as parents
       from pg_roles r where rolname = 'Alice Ünïcode'`,
        );
        assert.deepEqual(role, {
          rolcanlogin: true,
          rolconnlimit: 3,
          comment: 'the app',
          parents: ['parent_a'],
        });
        assert.equal((await refreshThenDiff(h, id, updated.outs, inputs)).diff.changes, false);

        // A new password is a change (compared with the stored hash); it works; it is in no log.
        const next = { ...inputs, password: secret('another one') };
        assert.deepEqual(
          roleChanges(reveal(updated.outs) as never, { ...inputs, password: 'another one' } as never),
          ['password'],
        );
        assert.equal((await h.diff(id, updated.outs, next)).changes, true);
        const rotated = await h.update(id, updated.outs, next, inputs);
        const c2 = new Client({
          ...server.config,
          user: 'Alice Ünïcode',
          password: 'another one',
          database: 'postgres',
        });
        await c2.connect();
        await c2.end();
        assert.equal((await h.diff(id, rotated.outs, next)).changes, false);
        assert.ok(
          !server.log().includes(password) && !server.log().includes('another one'),
          'a password reached the log',
        );
        assert.ok(!h.output().includes('another one'));

        await h.delete(id, rotated.outs);
        assert.equal((await sql(`select 1 from pg_roles where rolname = 'Alice Ünïcode'`)).rowCount, 0);
        const gone = await h.read(id, rotated.outs);
        assert.equal(gone.id, '', 'a role dropped by hand leaves the state on refresh');
      });

      test('GIVEN a role that owns a database WHEN the resource is deleted THEN the error says what it owns and how to fix it', async () => {
        const { id, outs } = await createChecked(h, { connection: connection(), name: 'owner_x' });
        await sql('create database owned_db owner owner_x');
        await assert.rejects(h.delete(id, outs), (e: Error) => {
          assert.match(
            e.message,
            /drop role "owner_x": 2BP01 .*owner of database owned_db.*Hint: .*REASSIGN OWNED/s,
          );
          return true;
        });
        await sql('drop database owned_db');
        await h.delete(id, outs);
      });
    });

    describe(`Database resource (${via})`, () => {
      let h: DynamicHost;
      before(async () => {
        h = await host(via, databaseProvider, 'Database');
        await sql('create role shop_owner; create role other_owner');
      });

      test('GIVEN a database with a schema WHEN altered by hand THEN refresh shows it and update restores it', async () => {
        const news = {
          connection: connection(),
          name: 'shop',
          owner: 'shop_owner',
          connectionLimit: 10,
          schemas: [{ name: 'sales', owner: 'shop_owner' }],
        };
        const { id, outs, inputs } = await createChecked(h, news);
        assert.equal((inputs as Obj).reclaimPolicy, 'retain');
        assert.equal((await refreshThenDiff(h, id, outs, inputs)).diff.changes, false);

        await sql('alter database shop owner to other_owner; alter database shop connection limit 2');
        await sql('alter schema sales owner to other_owner', 'shop');
        const drift = await refreshThenDiff(h, id, outs, inputs);
        const seen = drift.read.props as Obj;
        assert.equal(seen.owner, 'other_owner');
        assert.equal(seen.connectionLimit, 2);
        assert.deepEqual(seen.schemas, [{ name: 'sales', owner: 'other_owner' }]);
        assert.deepEqual(databaseChanges(seen as never, inputs as never), [
          'owner',
          'connectionLimit',
          'schemas',
        ]);
        assert.equal(drift.diff.changes, true);

        const updated = await h.update(id, drift.read.props, inputs, drift.read.inputs);
        assert.deepEqual(
          await one(
            `select pg_get_userbyid(datdba) as owner, datconnlimit from pg_database where datname = 'shop'`,
          ),
          {
            owner: 'shop_owner',
            datconnlimit: 10,
          },
        );
        assert.equal(
          (
            await one(
              `select pg_get_userbyid(nspowner) as o from pg_namespace where nspname = 'sales'`,
              'shop',
            )
          ).o,
          'shop_owner',
        );

        // retain (the default): deleting the resource keeps the database and its data.
        await sql('create table sales.orders (id int); insert into sales.orders values (42)', 'shop');
        await h.delete(id, updated.outs);
        assert.equal((await one('select id from sales.orders', 'shop')).id, 42);
      });

      test('GIVEN reclaimPolicy delete WHEN the resource is deleted THEN the database is dropped', async () => {
        const { id, outs } = await createChecked(h, {
          connection: connection(),
          name: 'scratch',
          reclaimPolicy: 'delete',
        });
        assert.equal((await sql(`select 1 from pg_database where datname = 'scratch'`)).rowCount, 1);
        await h.delete(id, outs);
        assert.equal((await sql(`select 1 from pg_database where datname = 'scratch'`)).rowCount, 0);
      });

      test('GIVEN a new name WHEN diffed THEN it is a replacement (retain keeps the old one)', async () => {
        const d = await h.diff(
          'a',
          { connection: connection(), name: 'a', reclaimPolicy: 'retain' },
          { connection: connection(), name: 'b' },
        );
        assert.deepEqual(d.replaces, ['name']);
      });
    });

    describe(`Grant resource (${via})`, () => {
      let h: DynamicHost;
      before(async () => {
        h = await host(via, grantProvider, 'Grant');
        await sql('create role reader');
        await sql('create database reports');
        await sql('create schema app; create table app.t1 (id int); create table app.t2 (id int)', 'reports');
      });

      test('GIVEN SELECT on every table WHEN changed by hand THEN refresh shows it and update makes it exact again', async () => {
        const news = {
          connection: connection(),
          role: 'reader',
          database: 'reports',
          on: 'tables',
          schema: 'app',
          privileges: ['SELECT'],
        };
        const { id, outs, inputs } = await createChecked(h, news);
        const acl = () =>
          one(
            `select has_table_privilege('reader', 'app.t1', 'SELECT') as s1, has_table_privilege('reader', 'app.t2', 'SELECT') as s2,
                has_table_privilege('reader', 'app.t1', 'INSERT') as i1`,
            'reports',
          );
        assert.deepEqual(await acl(), { s1: true, s2: true, i1: false });
        assert.equal((await refreshThenDiff(h, id, outs, inputs)).diff.changes, false);

        await sql('revoke select on app.t2 from reader; grant insert on app.t1 to reader', 'reports');
        const drift = await refreshThenDiff(h, id, outs, inputs);
        assert.deepEqual((drift.read.props as Obj).privileges, ['INSERT']);
        assert.deepEqual(grantChanges(drift.read.props as never, inputs as never), ['privileges']);
        assert.equal(drift.diff.changes, true);

        const updated = await h.update(id, drift.read.props, inputs, drift.read.inputs);
        assert.deepEqual(await acl(), { s1: true, s2: true, i1: false });

        await h.delete(id, updated.outs);
        assert.deepEqual(await acl(), { s1: false, s2: false, i1: false });
      });

      test('GIVEN another schema WHEN diffed THEN it is a replacement', async () => {
        const base = {
          connection: connection(),
          role: 'reader',
          database: 'reports',
          on: 'schema',
          schema: 'a',
          privileges: ['USAGE'],
        };
        assert.deepEqual((await h.diff('x', base, { ...base, schema: 'b' })).replaces, ['schema']);
        assert.equal((await h.diff('x', base, { ...base, privileges: ['USAGE'] })).changes, false);
      });
    });
  });
}
