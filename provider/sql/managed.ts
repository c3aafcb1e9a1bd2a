/**
 * What pgcluster manages in SQL, remembered between applies (the local platform keeps it in
 * cluster.json next to the spec, never inside it): the roles (with the fingerprint of the password
 * it set), the databases (with their reclaimPolicy) and the grant targets. Pure.
 *
 * An entry that leaves the spec departs: a role is dropped, a grant target loses its privileges, a
 * database is dropped only if its last reclaimPolicy was delete (otherwise retained and forgotten).
 * A role the spec still names elsewhere (an owner, a grantee, a membership) is kept, not dropped.
 */
import type { DesiredSql } from './desired';
import type { ReclaimPolicy } from './databases/model';
import { targetKey, type GrantTarget } from './grants/model';
import type { RoleAttributes } from './roles/model';
import type { Watermarks } from './watermarks/model';

export interface ManagedSql {
  roles: Record<string, { passwordHash?: string }>;
  databases: Record<string, { reclaimPolicy: ReclaimPolicy }>;
  grants: GrantTarget[];
  /** Where each database was last seen equal to the spec (see ./watermarks): a cache, never required. */
  watermarks?: Watermarks;
}

export function emptyManaged(): ManagedSql {
  return { roles: {}, databases: {}, grants: [] };
}

/** A role's attributes when nothing is declared: PostgreSQL's own defaults. */
export const NO_ATTRIBUTES: RoleAttributes = {
  login: false,
  superuser: false,
  createdb: false,
  createrole: false,
  inherit: true,
  replication: false,
  bypassrls: false,
  connectionLimit: -1,
  validUntil: null,
};

/** Roles the desired state names outside roles[]: owners, grantees, creators, memberships. */
export function referencedRoles(desired: DesiredSql): Set<string> {
  const out = new Set<string>();
  for (const r of desired.roles) if (r.ensure === 'present') r.inRoles.forEach((p) => out.add(p));
  for (const d of desired.databases) {
    if (d.owner !== undefined) out.add(d.owner);
    for (const s of d.schemas) if (s.owner !== undefined) out.add(s.owner);
  }
  for (const g of desired.grants) {
    if (g.privileges.length === 0) continue;
    out.add(g.target.role);
    if (g.target.createdBy !== undefined) out.add(g.target.createdBy);
  }
  return out;
}

/** Managed roles that left roles[] but are still named elsewhere: kept, and no longer managed. */
export function keptRoles(desired: DesiredSql, previous: ManagedSql): string[] {
  const declared = new Set(desired.roles.map((r) => r.name));
  const named = referencedRoles(desired);
  return Object.keys(previous.roles).filter((name) => !declared.has(name) && named.has(name));
}

/** The desired state plus an absent entry for everything that was managed and left the spec. */
export function withDepartures(desired: DesiredSql, previous: ManagedSql): DesiredSql {
  const roles = new Set([...desired.roles.map((r) => r.name), ...keptRoles(desired, previous)]);
  const databases = new Set(desired.databases.map((d) => d.name));
  const grants = new Set(desired.grants.map((g) => targetKey(g.target)));
  return {
    roles: [
      ...desired.roles,
      ...Object.keys(previous.roles)
        .filter((name) => !roles.has(name))
        .map((name) => ({
          name,
          ensure: 'absent' as const,
          attributes: NO_ATTRIBUTES,
          inRoles: [],
          comment: null,
        })),
    ],
    databases: [
      ...desired.databases,
      ...Object.entries(previous.databases)
        .filter(([name]) => !databases.has(name))
        .map(([name, { reclaimPolicy }]) => ({
          name,
          ensure: 'present' as const,
          departed: true,
          reclaimPolicy,
          connectionLimit: -1,
          allowConnections: true,
          schemas: [],
          extensions: [],
        })),
    ],
    grants: [
      ...desired.grants,
      ...previous.grants
        .filter((t) => !grants.has(targetKey(t)))
        .map((target) => ({ target, privileges: [], withGrantOption: false })),
    ],
  };
}

export interface ApplyOutcome {
  /** Keys (Step.key) of entries with a failed step: their departure is tried again next time. */
  failedKeys: ReadonlySet<string>;
  /** New fingerprints of the passwords set by this apply. */
  passwordsSet: ReadonlyMap<string, string>;
  /** Roles whose password step was planned (and so, unless set, no fingerprint is kept). */
  passwordsPlanned: ReadonlySet<string>;
}

/** What is managed after an apply of `desired` (already with departures). */
export function nextManaged(desired: DesiredSql, previous: ManagedSql, outcome: ApplyOutcome): ManagedSql {
  const next = emptyManaged();
  for (const role of desired.roles) {
    const failed = outcome.failedKeys.has(`role:${role.name}`);
    if (role.ensure === 'absent') {
      if (failed && Object.hasOwn(previous.roles, role.name)) next.roles[role.name] = {};
      continue;
    }
    const hash =
      outcome.passwordsSet.get(role.name) ??
      (role.password !== undefined && !outcome.passwordsPlanned.has(role.name)
        ? previous.roles[role.name]?.passwordHash
        : undefined);
    next.roles[role.name] = hash !== undefined ? { passwordHash: hash } : {};
  }
  for (const db of desired.databases) {
    const gone = db.ensure === 'absent' || db.departed === true;
    if (!gone) next.databases[db.name] = { reclaimPolicy: db.reclaimPolicy };
    else if (db.reclaimPolicy === 'delete' && outcome.failedKeys.has(`database:${db.name}`))
      next.databases[db.name] = { reclaimPolicy: 'delete' };
  }
  for (const grant of desired.grants) {
    if (grant.privileges.length > 0 || outcome.failedKeys.has(`grant:${targetKey(grant.target)}`))
      next.grants.push(grant.target);
  }
  return next;
}
