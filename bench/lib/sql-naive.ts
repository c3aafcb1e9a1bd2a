/**
 * The naive way to plan roles/databases/grants, for the benchmark's baseline: the same planners,
 * but the server is observed one object at a time (a query per role, per database, per schema, per
 * grant target) and one database after the other, as a per-resource provider would.
 */
import { Client, type ClientConfig } from 'pg';
import type { DesiredSql } from '../../provider/sql/desired';
import { DATABASES_SQL, databaseFromRow } from '../../provider/sql/databases/observe';
import { observeContents } from '../../provider/sql/databases/observe';
import type { ObservedContents, ObservedDatabase } from '../../provider/sql/databases/model';
import { contentsPlanSize, planContents, planDatabases } from '../../provider/sql/databases/plan';
import { targetKey, type ObservedGrant } from '../../provider/sql/grants/model';
import { observeGrants } from '../../provider/sql/grants/observe';
import { grantPlanSize, planGrants } from '../../provider/sql/grants/plan';
import { withDepartures, type ManagedSql } from '../../provider/sql/managed';
import type { ObservedRole } from '../../provider/sql/roles/model';
import { ROLES_SQL, roleFromRow, type RoleRow } from '../../provider/sql/roles/observe';
import { planRoles, rolePlanSize } from '../../provider/sql/roles/plan';

async function open(config: ClientConfig, database: string): Promise<Client> {
  const client = new Client({ ...config, database });
  await client.connect();
  return client;
}

/** Observes object by object, plans with the real planners; returns how many actions it planned. */
export async function naivePlan(
  config: ClientConfig,
  desiredSpec: DesiredSql,
  previous: ManagedSql,
): Promise<number> {
  const desired = withDepartures(desiredSpec, previous);
  const main = await open(config, 'postgres');
  let actions = 0;
  try {
    const roles = new Map<string, ObservedRole>();
    for (const r of desired.roles) {
      const { rows } = await main.query<RoleRow>(ROLES_SQL, [[r.name]]);
      if (rows[0])
        roles.set(r.name, { ...roleFromRow(rows[0]), passwordHash: previous.roles[r.name]?.passwordHash });
    }
    const databases = new Map<string, ObservedDatabase>();
    for (const d of desired.databases) {
      const { rows } = await main.query(DATABASES_SQL, [[d.name]]);
      if (rows[0]) databases.set(d.name, databaseFromRow(rows[0]));
    }
    actions += rolePlanSize(planRoles(desired.roles, roles));
    const dbPlan = planDatabases(desired.databases, databases);
    actions += dbPlan.create.length + dbPlan.alter.length + dbPlan.drop.length;
    const grants = new Map<string, ObservedGrant>();
    for (const g of desired.grants.filter((x) => x.target.on === 'database')) {
      for (const [k, v] of await observeGrants(main, [g.target])) grants.set(k, v);
    }
    const names = new Set([
      ...desired.databases.map((d) => d.name),
      ...desired.grants.map((g) => g.target.database),
    ]);
    for (const name of names) {
      const db = desired.databases.find((d) => d.name === name);
      const client = await open(config, name);
      try {
        if (db) {
          const seen: ObservedContents = { schemas: new Map(), extensions: new Map() };
          for (const s of db.schemas) {
            for (const [k, v] of (await observeContents(client, [s.name], [])).schemas)
              seen.schemas.set(k, v);
          }
          for (const e of db.extensions) {
            for (const [k, v] of (await observeContents(client, [], [e.name])).extensions)
              seen.extensions.set(k, v);
          }
          actions += contentsPlanSize(planContents(db, seen));
        }
        for (const g of desired.grants.filter(
          (x) => x.target.on !== 'database' && x.target.database === name,
        )) {
          const one = await observeGrants(client, [g.target]);
          grants.set(targetKey(g.target), one.get(targetKey(g.target)) as ObservedGrant);
        }
      } finally {
        await client.end();
      }
    }
    actions += grantPlanSize(planGrants(desired.grants, grants));
  } finally {
    await main.end();
  }
  return actions;
}
