/**
 * Where a no-op re-plan spends its time: opening one connection per database (measured alone),
 * the shared catalogs (roles, memberships, databases, database grants: one connection), the
 * catalogs inside every database (connections and their planning included), and the pure planners
 * of what the shared catalogs hold.
 */
import { Client, type ClientConfig } from 'pg';
import { withConnections } from '../../provider/sql/connections';
import type { DesiredSql } from '../../provider/sql/desired';
import { observeDatabases } from '../../provider/sql/databases/observe';
import { planDatabases } from '../../provider/sql/databases/plan';
import { observeGrants } from '../../provider/sql/grants/observe';
import { planGrants } from '../../provider/sql/grants/plan';
import { insideDatabases, mapLimit, planInside } from '../../provider/sql/inside';
import { withDepartures, type ManagedSql } from '../../provider/sql/managed';
import { observeRoles } from '../../provider/sql/roles/observe';
import { planRoles } from '../../provider/sql/roles/plan';

export interface Breakdown {
  connectOnlyMs: number;
  sharedCatalogsMs: number;
  insideDatabasesMs: number;
  planningMs: number;
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

export async function breakdown(
  config: ClientConfig,
  desiredSpec: DesiredSql,
  managed: ManagedSql,
  concurrency: number,
): Promise<Breakdown> {
  const desired = withDepartures(desiredSpec, managed);
  const databases = insideDatabases(desired);
  let t = now();
  await mapLimit(databases, concurrency, async (database) => {
    const client = new Client({ ...config, database });
    await client.connect();
    await client.end();
  });
  const connectOnlyMs = now() - t;
  return withConnections(config, async (conns) => {
    t = now();
    const client = await conns.get();
    const roles = await observeRoles(
      client,
      desired.roles.map((r) => r.name),
    );
    const dbs = await observeDatabases(
      client,
      desired.databases.map((d) => d.name),
    );
    const dbGrants = desired.grants.filter((g) => g.target.on === 'database');
    const grants = await observeGrants(
      client,
      dbGrants.map((g) => g.target),
    );
    const sharedCatalogsMs = now() - t;
    t = now();
    await planInside(conns, desired, concurrency);
    const insideDatabasesMs = now() - t;
    t = now();
    planRoles(desired.roles, roles);
    planDatabases(desired.databases, dbs);
    planGrants(dbGrants, grants);
    return { connectOnlyMs, sharedCatalogsMs, insideDatabasesMs, planningMs: now() - t };
  });
}
