import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DesiredDatabase, ObservedContents, ObservedDatabase } from './model';
import { planContents, planDatabases } from './plan';
import { contentsSteps, databaseDropSteps, databaseSteps } from './statements';

const want = (name: string, more: Partial<DesiredDatabase> = {}): DesiredDatabase => ({
  name,
  ensure: 'present',
  reclaimPolicy: 'retain',
  connectionLimit: -1,
  allowConnections: true,
  schemas: [],
  extensions: [],
  ...more,
});
const have = (name: string, more: Partial<ObservedDatabase> = {}): ObservedDatabase => ({
  name,
  owner: 'postgres',
  encoding: 'UTF8',
  lcCollate: 'C.UTF-8',
  lcCtype: 'C.UTF-8',
  connectionLimit: -1,
  allowConnections: true,
  ...more,
});

function planned(desired: DesiredDatabase[], observed: ObservedDatabase[]) {
  const plan = planDatabases(desired, new Map(observed.map((o) => [o.name, o])));
  return {
    sql: [...databaseSteps(plan), ...databaseDropSteps(plan)].map((s) => s.sql),
    retain: plan.retain,
    conflicts: plan.conflicts.map((c) => `${c.database}.${c.field}: ${c.have} -> ${c.want}`),
  };
}

const CASES: ReadonlyArray<{
  given: string;
  desired: DesiredDatabase[];
  observed: ObservedDatabase[];
  sql: string[];
  retain?: string[];
  conflicts?: string[];
}> = [
  {
    given: 'a new database with an owner',
    desired: [want('shop', { owner: 'app' })],
    observed: [],
    sql: ['CREATE DATABASE "shop" OWNER "app" CONNECTION LIMIT -1 ALLOW_CONNECTIONS true'],
  },
  {
    given: 'a new database with encoding and one locale',
    desired: [want('l1', { encoding: 'LATIN1', lcCollate: 'C', lcCtype: 'C', template: 'template0' })],
    observed: [],
    sql: [
      `CREATE DATABASE "l1" TEMPLATE "template0" ENCODING 'LATIN1' LOCALE 'C' CONNECTION LIMIT -1 ALLOW_CONNECTIONS true`,
    ],
  },
  {
    given: 'different collate and ctype',
    desired: [want('x', { lcCollate: 'C', lcCtype: 'C.UTF-8' })],
    observed: [],
    sql: [`CREATE DATABASE "x" LC_COLLATE 'C' LC_CTYPE 'C.UTF-8' CONNECTION LIMIT -1 ALLOW_CONNECTIONS true`],
  },
  {
    given: 'a database as desired',
    desired: [want('shop', { owner: 'postgres' })],
    observed: [have('shop')],
    sql: [],
  },
  {
    given: 'no owner declared',
    desired: [want('shop')],
    observed: [have('shop', { owner: 'someone' })],
    sql: [],
  },
  {
    given: 'a new owner, limit and no connections',
    desired: [want('shop', { owner: 'app', connectionLimit: 10, allowConnections: false })],
    observed: [have('shop')],
    sql: [
      'ALTER DATABASE "shop" OWNER TO "app"',
      'ALTER DATABASE "shop" WITH CONNECTION LIMIT 10 ALLOW_CONNECTIONS false',
    ],
  },
  {
    given: 'an encoding written differently',
    desired: [want('shop', { encoding: 'utf-8' })],
    observed: [have('shop')],
    sql: [],
  },
  {
    given: 'another encoding and collation than at creation',
    desired: [want('shop', { encoding: 'LATIN1', lcCollate: 'C' })],
    observed: [have('shop')],
    sql: [],
    conflicts: ['shop.encoding: UTF8 -> LATIN1', 'shop.lcCollate: C.UTF-8 -> C'],
  },
  {
    given: 'a database that left the spec with reclaimPolicy retain',
    desired: [want('old', { departed: true })],
    observed: [have('old')],
    sql: [],
    retain: ['old'],
  },
  {
    given: 'a database that left the spec with reclaimPolicy delete',
    desired: [want('old', { departed: true, reclaimPolicy: 'delete' })],
    observed: [have('old')],
    sql: ['DROP DATABASE "old"'],
  },
  {
    given: 'ensure absent with delete, already gone',
    desired: [want('old', { ensure: 'absent', reclaimPolicy: 'delete' })],
    observed: [],
    sql: [],
  },
  {
    given: 'ensure absent without delete (only reachable without the spec rules)',
    desired: [want('old', { ensure: 'absent' })],
    observed: [have('old')],
    sql: [],
    retain: ['old'],
  },
];

describe('planDatabases', () => {
  for (const c of CASES) {
    test(`GIVEN ${c.given} WHEN planned THEN the expected statements, retains and conflicts`, () => {
      const p = planned(c.desired, c.observed);
      assert.deepEqual(p.sql, c.sql);
      assert.deepEqual(p.retain, c.retain ?? []);
      assert.deepEqual(p.conflicts, c.conflicts ?? []);
    });
  }

  test('GIVEN create and drop steps WHEN built THEN they run alone, outside a transaction', () => {
    const plan = planDatabases(
      [want('new'), want('old', { ensure: 'absent', reclaimPolicy: 'delete' })],
      new Map([['old', have('old')]]),
    );
    assert.ok([...databaseSteps(plan), ...databaseDropSteps(plan)].every((s) => s.alone === true));
  });
});

const contents = (
  schemas: Record<string, string>,
  extensions: Record<string, [string, string]>,
): ObservedContents => ({
  schemas: new Map(Object.entries(schemas)),
  extensions: new Map(Object.entries(extensions).map(([k, [version, schema]]) => [k, { version, schema }])),
});

describe('planContents', () => {
  const CONTENT_CASES: ReadonlyArray<{
    given: string;
    db: DesiredDatabase;
    seen: ObservedContents;
    sql: string[];
  }> = [
    {
      given: 'new schemas (owner from the database) and an extension in one of them',
      db: want('shop', {
        owner: 'app',
        schemas: [{ name: 'sales' }, { name: 'ops', owner: 'ops' }],
        extensions: [{ name: 'pgcrypto', schema: 'sales', version: '1.3' }],
      }),
      seen: contents({}, {}),
      sql: [
        'CREATE SCHEMA "sales" AUTHORIZATION "app"',
        'CREATE SCHEMA "ops" AUTHORIZATION "ops"',
        `CREATE EXTENSION "pgcrypto" SCHEMA "sales" VERSION '1.3'`,
      ],
    },
    {
      given: 'everything as desired',
      db: want('shop', { schemas: [{ name: 'sales', owner: 'app' }], extensions: [{ name: 'citext' }] }),
      seen: contents({ sales: 'app' }, { citext: ['1.6', 'public'] }),
      sql: [],
    },
    {
      given: 'a schema owner, an extension version and schema that differ',
      db: want('shop', {
        schemas: [{ name: 'sales', owner: 'app' }],
        extensions: [{ name: 'citext', version: '1.6', schema: 'sales' }],
      }),
      seen: contents({ sales: 'postgres' }, { citext: ['1.5', 'public'] }),
      sql: [
        'ALTER SCHEMA "sales" OWNER TO "app"',
        `ALTER EXTENSION "citext" UPDATE TO '1.6'`,
        'ALTER EXTENSION "citext" SET SCHEMA "sales"',
      ],
    },
    {
      given: 'a schema without any owner declared',
      db: want('shop', { schemas: [{ name: 'public' }] }),
      seen: contents({ public: 'pg_database_owner' }, {}),
      sql: [],
    },
  ];
  for (const c of CONTENT_CASES) {
    test(`GIVEN ${c.given} WHEN planned THEN the expected statements, inside the database`, () => {
      const steps = contentsSteps(planContents(c.db, c.seen));
      assert.deepEqual(
        steps.map((s) => s.sql),
        c.sql,
      );
      assert.ok(steps.every((s) => s.database === c.db.name));
    });
  }
});
