/** Roles as pgcluster wants them (desired) and as the server has them (observed). Plain data. */

export interface RoleAttributes {
  login: boolean;
  superuser: boolean;
  createdb: boolean;
  createrole: boolean;
  inherit: boolean;
  replication: boolean;
  bypassrls: boolean;
  /** -1: no limit. */
  connectionLimit: number;
  /** VALID UNTIL as epoch milliseconds; null: never expires (NULL or 'infinity' on the server). */
  validUntil: number | null;
}

export const ROLE_ATTRIBUTES: ReadonlyArray<keyof RoleAttributes> = [
  'login',
  'superuser',
  'createdb',
  'createrole',
  'inherit',
  'replication',
  'bypassrls',
  'connectionLimit',
  'validUntil',
];

export interface DesiredRole {
  name: string;
  ensure: 'present' | 'absent';
  attributes: RoleAttributes;
  /** Roles it is a member of: exactly these. */
  inRoles: string[];
  /** null: no comment. */
  comment: string | null;
  /**
   * The password in clear (from the CLI's fromEnv/fromFile, or a Pulumi secret). Absent: the
   * password is not managed. Only compared with `ObservedRole.passwordHash`; never put in a step.
   */
  password?: string;
}

export interface ObservedRole {
  name: string;
  attributes: RoleAttributes;
  inRoles: string[];
  comment: string | null;
  /** Fingerprint of the password pgcluster last set (from its state, not from the server). */
  passwordHash?: string;
}

export type RoleAction =
  | { kind: 'create'; role: string; attributes: RoleAttributes }
  | { kind: 'alter'; role: string; changes: Partial<RoleAttributes> }
  | { kind: 'password'; role: string }
  | { kind: 'comment'; role: string; comment: string | null }
  | { kind: 'grant-membership'; role: string; parent: string }
  | { kind: 'revoke-membership'; role: string; parent: string }
  | { kind: 'drop'; role: string };

/** Actions in the order they run; `drop` runs last of all (after databases and grants). */
export interface RolePlan {
  create: Array<Extract<RoleAction, { kind: 'create' }>>;
  alter: Array<Extract<RoleAction, { kind: 'alter' }>>;
  password: Array<Extract<RoleAction, { kind: 'password' }>>;
  comment: Array<Extract<RoleAction, { kind: 'comment' }>>;
  revokeMembership: Array<Extract<RoleAction, { kind: 'revoke-membership' }>>;
  grantMembership: Array<Extract<RoleAction, { kind: 'grant-membership' }>>;
  drop: Array<Extract<RoleAction, { kind: 'drop' }>>;
}
