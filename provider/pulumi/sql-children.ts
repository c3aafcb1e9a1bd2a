/**
 * The roles[], databases[] and grants[] of a PostgresCluster as Role, Database and Grant children,
 * so each is its own resource in the state: `pulumi refresh` shows what was changed by hand, the
 * diff names it, and an entry that leaves the spec is deleted by the engine (role dropped, grant
 * revoked, database dropped only with reclaimPolicy delete). They run after the cluster is ready,
 * in dependency order (a role before what it owns, is granted or is a member of), and are
 * `deletedWith` the cluster: destroying the cluster does not drop them one by one first.
 * Passwords of roles[] (fromEnv, fromFile) are read by the program and become secrets.
 */
import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import type { ClusterSpec } from '../spec/cluster';
import type { SqlConnection } from '../sql/target';
import { Role } from './role';
import { Database } from './database';
import { Grant } from './grant';

/** A Pulumi resource name from any SQL name: readable, and unique (a hash when characters were changed). */
export function sqlChildName(resource: string, kind: string, ...parts: Array<string | undefined>): string {
  const raw = parts.filter((p) => p !== undefined).join('.');
  const safe = raw.replace(/[^A-Za-z0-9_.-]/g, '_');
  const suffix = safe === raw ? '' : `-${createHash('sha256').update(raw).digest('hex').slice(0, 8)}`;
  return `${resource}-${kind}-${safe}${suffix}`;
}

export interface SqlChildrenContext {
  parent: pulumi.Resource;
  resourceName: string;
  connection: pulumi.Input<SqlConnection>;
  /** What must be ready first (the cluster, its readiness). */
  after: pulumi.Resource[];
  /** The resource whose deletion takes the SQL objects with it. */
  deletedWith: pulumi.Resource;
}

export interface SqlChildren {
  roles: Map<string, Role>;
  databases: Map<string, Database>;
  grants: Grant[];
}

/** `passwords`: the roles' passwords by name, resolved from their references (resolvePasswords). */
export function createSqlChildren(
  spec: ClusterSpec,
  passwords: ReadonlyMap<string, string>,
  ctx: SqlChildrenContext,
): SqlChildren {
  const opts = (dependsOn: Array<pulumi.Resource | undefined>): pulumi.CustomResourceOptions => ({
    parent: ctx.parent,
    dependsOn: [...ctx.after, ...dependsOn.filter((d): d is pulumi.Resource => d !== undefined)],
    deletedWith: ctx.deletedWith,
  });
  const roles = new Map<string, Role>();
  // Parents first: a role is created after the declared roles it is a member of.
  const pending = [...spec.roles];
  while (pending.length > 0) {
    const i = pending.findIndex((r) =>
      r.inRoles.every((p) => roles.has(p) || !pending.some((q) => q.name === p)),
    );
    const [role] = pending.splice(i < 0 ? 0 : i, 1);
    if (!role) break;
    const { password: _ref, ...entry } = role;
    const password = passwords.get(role.name);
    roles.set(
      role.name,
      new Role(
        sqlChildName(ctx.resourceName, 'role', role.name),
        {
          ...entry,
          connection: ctx.connection,
          ...(password !== undefined ? { password: pulumi.secret(password) } : {}),
        },
        opts(role.inRoles.map((p) => roles.get(p))),
      ),
    );
  }
  const databases = new Map<string, Database>();
  for (const db of spec.databases) {
    const owners = [db.owner, ...db.schemas.map((s) => s.owner)];
    databases.set(
      db.name,
      new Database(
        sqlChildName(ctx.resourceName, 'database', db.name),
        { ...db, connection: ctx.connection },
        opts(owners.map((o) => (o !== undefined ? roles.get(o) : undefined))),
      ),
    );
  }
  const grants = spec.grants.map(
    (g) =>
      new Grant(
        sqlChildName(ctx.resourceName, 'grant', g.role, g.database, g.on, g.schema, g.createdBy),
        { ...g, connection: ctx.connection },
        opts([
          roles.get(g.role),
          g.createdBy !== undefined ? roles.get(g.createdBy) : undefined,
          databases.get(g.database),
        ]),
      ),
  );
  return { roles, databases, grants };
}

/** The spec without roles, databases and grants: what the cluster resource itself manages. */
export function withoutSqlObjects(spec: ClusterSpec): ClusterSpec {
  return { ...spec, roles: [], databases: [], grants: [] };
}
