/** Roles: plan -> SQL steps. Pure text builders; every name quoted, every value a literal or integer. */
import { quoteIdent as q, quoteLiteral, sqlInteger } from '../quote';
import type { Step } from '../steps';
import type { RoleAttributes, RoleAction, RolePlan } from './model';

const FLAGS: ReadonlyArray<[keyof RoleAttributes, string]> = [
  ['login', 'LOGIN'],
  ['superuser', 'SUPERUSER'],
  ['createdb', 'CREATEDB'],
  ['createrole', 'CREATEROLE'],
  ['inherit', 'INHERIT'],
  ['replication', 'REPLICATION'],
  ['bypassrls', 'BYPASSRLS'],
];

/** `LOGIN NOSUPERUSER ... CONNECTION LIMIT n VALID UNTIL '...'` for the attributes given. */
export function roleOptions(attrs: Partial<RoleAttributes>, creating: boolean): string {
  const out: string[] = [];
  for (const [key, word] of FLAGS) {
    const value = attrs[key];
    if (value !== undefined) out.push(value ? word : `NO${word}`);
  }
  if (attrs.connectionLimit !== undefined) out.push(`CONNECTION LIMIT ${sqlInteger(attrs.connectionLimit)}`);
  if (attrs.validUntil !== undefined && !(creating && attrs.validUntil === null)) {
    // 'infinity' is how PostgreSQL says "never" once a date was set (VALID UNTIL cannot go back to NULL).
    const until = attrs.validUntil === null ? 'infinity' : new Date(attrs.validUntil).toISOString();
    out.push(`VALID UNTIL ${quoteLiteral(until)}`);
  }
  return out.join(' ');
}

export const REDACTED = "'***'";

/** The statement that sets a password, from its SCRAM verifier (only the executor calls this). */
export function setPasswordSql(role: string, verifier: string): string {
  return `ALTER ROLE ${q(role)} PASSWORD ${quoteLiteral(verifier)}`;
}

export function roleStep(action: RoleAction): Step {
  const object = `role ${JSON.stringify(action.role)}`;
  const key = `role:${action.role}`;
  const r = q(action.role);
  switch (action.kind) {
    case 'create':
      return {
        kind: 'create-role',
        object,
        key,
        sql: `CREATE ROLE ${r} WITH ${roleOptions(action.attributes, true)}`,
      };
    case 'alter':
      return {
        kind: 'alter-role',
        object,
        key,
        sql: `ALTER ROLE ${r} WITH ${roleOptions(action.changes, false)}`,
      };
    case 'password':
      return {
        kind: 'set-password',
        object,
        key,
        sql: `ALTER ROLE ${r} PASSWORD ${REDACTED}`,
        password: { role: action.role },
      };
    case 'comment':
      return {
        kind: 'comment-role',
        object,
        key,
        sql: `COMMENT ON ROLE ${r} IS ${action.comment === null ? 'NULL' : quoteLiteral(action.comment)}`,
      };
    case 'grant-membership':
      return { kind: 'grant-membership', object, key, sql: `GRANT ${q(action.parent)} TO ${r}` };
    case 'revoke-membership':
      return { kind: 'revoke-membership', object, key, sql: `REVOKE ${q(action.parent)} FROM ${r}` };
    case 'drop':
      return { kind: 'drop-role', object, key, sql: `DROP ROLE ${r}` };
  }
}

/** Everything but the drops, in order: create, alter, password, comment, memberships. */
export function roleSteps(plan: RolePlan): Step[] {
  return [
    ...plan.create,
    ...plan.alter,
    ...plan.password,
    ...plan.comment,
    ...plan.revokeMembership,
    ...plan.grantMembership,
  ].map(roleStep);
}

/** The drops: run after databases and grants, so what a role owned or held is gone first. */
export function roleDropSteps(plan: RolePlan): Step[] {
  return plan.drop.map(roleStep);
}
