/**
 * Privileges as the server has them. Database grants: one query on pg_database for all targets,
 * in the maintenance database. Everything else: one query per database, returning one row per
 * object (schema, relation, function, default ACL) of the schemas involved and per privilege our
 * grantees hold on it, counted by ./aggregate. Simple scans, so planning the query costs little:
 * a no-op re-plan of 100 databases spends its time connecting, not querying.
 */
import type { Client } from 'pg';
import { aggregateGrants, type AclRow } from './aggregate';
import { targetKey, type GrantTarget, type ObservedGrant } from './model';

const DATABASE_SQL = `
select t.role, t.name, coalesce(d.datdba = r.oid, false) as owned, a.privilege_type as priv, a.is_grantable as grantable
from unnest($1::text[], $2::text[]) as t(role, name)
left join pg_roles r on r.rolname = t.role
left join pg_database d on d.datname = t.name
left join lateral aclexplode(d.datacl) a on a.grantee = r.oid`;

/** The objects of each kind in the schemas `n`: a kind is only scanned when a target needs it. */
const OBJECTS: Record<'schema' | 'relations' | 'functions' | 'default', string> = {
  schema: `select 'schema' as kind, n.nspname, n.oid as obj, n.nspowner as owner, null::"char" as objtype, n.nspacl as acl from n`,
  relations: `select case when c.relkind = 'S' then 'sequences' else 'tables' end, n.nspname, c.oid, c.relowner, null, c.relacl
    from pg_class c join n on c.relnamespace = n.oid where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')`,
  functions: `select 'functions', n.nspname, p.oid, p.proowner, null, p.proacl
    from pg_proc p join n on p.pronamespace = n.oid where p.prokind <> 'p'`,
  default: `select 'default', n.nspname, d.oid, d.defaclrole, d.defaclobjtype, d.defaclacl
    from pg_default_acl d join n on d.defaclnamespace = n.oid`,
};

/** Objects of the schemas $2 and the privileges the roles $1 hold on them; then the roles' oids. */
function insideSql(kinds: ReadonlySet<keyof typeof OBJECTS>): string {
  const objects = (['schema', 'relations', 'functions', 'default'] as const).filter((k) => kinds.has(k));
  return `
with r as (select oid, rolname from pg_roles where rolname = any($1::text[])),
n as (select oid, nspname, nspowner, nspacl from pg_namespace where nspname = any($2::text[])),
o as (${objects.map((k) => OBJECTS[k]).join('\n  union all\n  ')})
select o.kind, o.nspname as schema, o.obj::text as obj, o.owner::text as owner, o.objtype::text as objtype,
       a.rolname as grantee, a.privilege_type as priv, a.is_grantable as grantable
from o left join lateral (
  select r.rolname, x.privilege_type, x.is_grantable from aclexplode(o.acl) x join r on r.oid = x.grantee
) a on true
union all
select 'role', '', r.oid::text, r.oid::text, r.rolname, null, null, null from r`;
}

function kindOf(t: GrantTarget): keyof typeof OBJECTS {
  if (t.createdBy !== undefined) return 'default';
  return t.on === 'schema' ? 'schema' : t.on === 'functions' ? 'functions' : 'relations';
}

interface DatabaseRow {
  role: string;
  name: string;
  owned: boolean;
  priv: string | null;
  grantable: boolean | null;
}

async function observeDatabaseGrants(
  client: Client,
  targets: readonly GrantTarget[],
): Promise<ObservedGrant[]> {
  const { rows } = await client.query<DatabaseRow>(DATABASE_SQL, [
    targets.map((t) => t.role),
    targets.map((t) => t.database),
  ]);
  const byKey = new Map(
    targets.map((t) => [
      JSON.stringify([t.role, t.database]),
      { target: t, objects: 1, has: {}, grantable: {} } as ObservedGrant,
    ]),
  );
  for (const row of rows) {
    const seen = byKey.get(JSON.stringify([row.role, row.name]));
    if (!seen) continue;
    if (row.owned) seen.objects = 0;
    if (row.priv === null) continue;
    seen.has[row.priv] = 1;
    if (row.grantable) seen.grantable[row.priv] = 1;
  }
  return [...byKey.values()];
}

async function observeInsideGrants(
  client: Client,
  targets: readonly GrantTarget[],
): Promise<ObservedGrant[]> {
  const roles = [
    ...new Set(targets.flatMap((t) => [t.role, ...(t.createdBy !== undefined ? [t.createdBy] : [])])),
  ];
  const schemas = [...new Set(targets.map((t) => t.schema as string))];
  const kinds = new Set<keyof typeof OBJECTS>(['schema', ...targets.map(kindOf)]);
  const { rows } = await client.query<Omit<AclRow, 'kind'> & { kind: AclRow['kind'] | 'role' }>(
    insideSql(kinds),
    [roles, schemas],
  );
  const roleOids = new Map(rows.filter((r) => r.kind === 'role').map((r) => [r.objtype as string, r.obj]));
  return aggregateGrants(
    targets,
    rows.filter((r): r is AclRow => r.kind !== 'role'),
    roleOids,
  );
}

/**
 * Observes grant targets on `client`: either all `on: database` targets (maintenance database)
 * or the other targets of the database `client` is connected to. Keyed by target key.
 */
export async function observeGrants(
  client: Client,
  targets: readonly GrantTarget[],
): Promise<Map<string, ObservedGrant>> {
  const database = targets.filter((t) => t.on === 'database');
  const inside = targets.filter((t) => t.on !== 'database');
  const observed = [
    ...(database.length > 0 ? await observeDatabaseGrants(client, database) : []),
    ...(inside.length > 0 ? await observeInsideGrants(client, inside) : []),
  ];
  return new Map(observed.map((o) => [targetKey(o.target), o]));
}
