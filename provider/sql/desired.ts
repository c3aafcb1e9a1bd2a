/**
 * The spec's roles[], databases[] and grants[] as the SQL models. Pure. Passwords come in clear,
 * from whoever resolved them (the CLI from fromEnv/fromFile; later a Pulumi secret).
 */
import type { DatabaseSpec } from '../spec/databases';
import type { GrantSpec } from '../spec/grants';
import type { RoleSpec } from '../spec/roles';
import type { DesiredDatabase } from './databases/model';
import { canonicalPrivileges } from './grants/plan';
import type { DesiredGrant } from './grants/model';
import type { DesiredRole } from './roles/model';

export interface DesiredSql {
  roles: DesiredRole[];
  databases: DesiredDatabase[];
  grants: DesiredGrant[];
}

export interface SqlSpec {
  roles: readonly RoleSpec[];
  databases: readonly DatabaseSpec[];
  grants: readonly GrantSpec[];
}

/** `infinity` and absent both mean "never expires". */
export function validUntilMs(value: string | undefined): number | null {
  if (value === undefined || value === 'infinity') return null;
  return Date.parse(value.replace(' ', 'T'));
}

export function desiredRole(r: RoleSpec, passwords: ReadonlyMap<string, string>): DesiredRole {
  const password = r.password ? passwords.get(r.name) : undefined;
  if (r.password && password === undefined && r.ensure === 'present')
    throw new Error(`roles: no password was resolved for role ${JSON.stringify(r.name)}`);
  return {
    name: r.name,
    ensure: r.ensure,
    attributes: {
      login: r.login,
      superuser: r.superuser,
      createdb: r.createdb,
      createrole: r.createrole,
      inherit: r.inherit,
      replication: r.replication,
      bypassrls: r.bypassrls,
      connectionLimit: r.connectionLimit,
      validUntil: validUntilMs(r.validUntil),
    },
    inRoles: [...r.inRoles],
    comment: r.comment ?? null,
    ...(password !== undefined ? { password } : {}),
  };
}

export function desiredDatabase(d: DatabaseSpec): DesiredDatabase {
  const lcCollate = d.locale ?? d.lcCollate;
  const lcCtype = d.locale ?? d.lcCtype;
  const custom = d.encoding !== undefined || lcCollate !== undefined || lcCtype !== undefined;
  const template = d.template ?? (custom ? 'template0' : undefined);
  return {
    name: d.name,
    ensure: d.ensure,
    reclaimPolicy: d.reclaimPolicy,
    ...(d.owner !== undefined ? { owner: d.owner } : {}),
    ...(d.encoding !== undefined ? { encoding: d.encoding } : {}),
    ...(lcCollate !== undefined ? { lcCollate } : {}),
    ...(lcCtype !== undefined ? { lcCtype } : {}),
    ...(template !== undefined ? { template } : {}),
    connectionLimit: d.connectionLimit,
    allowConnections: d.allowConnections,
    schemas: d.schemas.map((s) => ({ name: s.name, ...(s.owner !== undefined ? { owner: s.owner } : {}) })),
    extensions: d.extensions.map((e) => ({ ...e })),
  };
}

export function desiredGrant(g: GrantSpec): DesiredGrant {
  return {
    target: {
      role: g.role,
      database: g.database,
      on: g.on,
      ...(g.schema !== undefined ? { schema: g.schema } : {}),
      ...(g.createdBy !== undefined ? { createdBy: g.createdBy } : {}),
    },
    privileges: canonicalPrivileges(g.on, g.privileges),
    withGrantOption: g.withGrantOption,
  };
}

export function desiredFromSpec(
  spec: SqlSpec,
  passwords: ReadonlyMap<string, string> = new Map(),
): DesiredSql {
  return {
    roles: spec.roles.map((r) => desiredRole(r, passwords)),
    databases: spec.databases.map(desiredDatabase),
    grants: spec.grants.map(desiredGrant),
  };
}
