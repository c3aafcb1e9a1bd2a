/** Privileges of a role on a target, desired and observed. Plain data. */

export type GrantOn = 'database' | 'schema' | 'tables' | 'sequences' | 'functions';

/** What one grant entry owns: the privileges of `role` on this target, and nothing else. */
export interface GrantTarget {
  role: string;
  database: string;
  on: GrantOn;
  /** Every kind but `database`. */
  schema?: string;
  /** Default privileges for objects this role creates later (tables, sequences, functions). */
  createdBy?: string;
}

export interface DesiredGrant {
  target: GrantTarget;
  /** Exactly these; empty when the entry left the spec (everything is revoked). */
  privileges: string[];
  withGrantOption: boolean;
}

/**
 * For a single object (database, schema, default privileges) `objects` is 1, or 0 when the role
 * owns it (an owner has every privilege: nothing to manage). For "every table of a schema" it is
 * the number of such objects the role does not own, and the counts say how many have each privilege.
 */
export interface ObservedGrant {
  target: GrantTarget;
  objects: number;
  /** Objects where the role holds the privilege, by privilege. */
  has: Record<string, number>;
  /** Objects where it holds it WITH GRANT OPTION. */
  grantable: Record<string, number>;
}

export interface GrantAction {
  target: GrantTarget;
  privileges: string[];
}

export interface GrantPlan {
  /** Privileges the role has but the entry does not list. */
  revoke: GrantAction[];
  /** Grant options it holds without withGrantOption. */
  revokeGrantOption: GrantAction[];
  /** Privileges (or their grant option) missing on at least one object. */
  grant: Array<GrantAction & { withGrantOption: boolean }>;
}

/** A stable key per target: one entry per key. */
export function targetKey(t: GrantTarget): string {
  return JSON.stringify([t.role, t.database, t.on, t.schema ?? null, t.createdBy ?? null]);
}
