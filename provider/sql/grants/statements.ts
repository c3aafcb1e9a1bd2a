/**
 * Grants: plan -> SQL steps. Pure. Privileges come from a fixed list (checked here again), names
 * are quoted. Database grants run in the maintenance database, the others inside their database.
 */
import { PRIVILEGES_ON } from '../../spec/grants';
import { quoteIdent as q, UnsafeSqlValueError } from '../quote';
import type { Step } from '../steps';
import { targetKey, type GrantAction, type GrantPlan, type GrantTarget } from './model';

const DEFAULT_OBJECTS: Record<string, string> = {
  tables: 'TABLES',
  sequences: 'SEQUENCES',
  functions: 'FUNCTIONS',
};

function privilegeList(t: GrantTarget, privileges: readonly string[]): string {
  for (const p of privileges) {
    if (!PRIVILEGES_ON[t.on].includes(p)) throw new UnsafeSqlValueError(`${p} is not a privilege on ${t.on}`);
  }
  return privileges.join(', ');
}

/** `ON DATABASE "d"`, `ON ALL TABLES IN SCHEMA "s"`, ... (not for default privileges). */
export function objectClause(t: GrantTarget): string {
  switch (t.on) {
    case 'database':
      return `DATABASE ${q(t.database)}`;
    case 'schema':
      return `SCHEMA ${q(t.schema ?? '')}`;
    default:
      return `ALL ${t.on.toUpperCase()} IN SCHEMA ${q(t.schema ?? '')}`;
  }
}

function defaultsPrefix(t: GrantTarget): string {
  return `ALTER DEFAULT PRIVILEGES FOR ROLE ${q(t.createdBy ?? '')} IN SCHEMA ${q(t.schema ?? '')}`;
}

export function grantSql(a: GrantAction & { withGrantOption: boolean }): string {
  const t = a.target;
  const privileges = privilegeList(t, a.privileges);
  const option = a.withGrantOption ? ' WITH GRANT OPTION' : '';
  if (t.createdBy !== undefined)
    return `${defaultsPrefix(t)} GRANT ${privileges} ON ${DEFAULT_OBJECTS[t.on]} TO ${q(t.role)}${option}`;
  return `GRANT ${privileges} ON ${objectClause(t)} TO ${q(t.role)}${option}`;
}

export function revokeSql(a: GrantAction, grantOptionOnly: boolean): string {
  const t = a.target;
  const what = `${grantOptionOnly ? 'GRANT OPTION FOR ' : ''}${privilegeList(t, a.privileges)}`;
  if (t.createdBy !== undefined)
    return `${defaultsPrefix(t)} REVOKE ${what} ON ${DEFAULT_OBJECTS[t.on]} FROM ${q(t.role)}`;
  return `REVOKE ${what} ON ${objectClause(t)} FROM ${q(t.role)}`;
}

export function describeTarget(t: GrantTarget): string {
  const [r, d, s] = [t.role, t.database, t.schema].map((x) => JSON.stringify(x));
  if (t.on === 'database') return `privileges of ${r} on database ${d}`;
  if (t.on === 'schema') return `privileges of ${r} on schema ${s} of database ${d}`;
  if (t.createdBy !== undefined)
    return `default privileges of ${r} on ${t.on} created by ${JSON.stringify(t.createdBy)} in schema ${s} of database ${d}`;
  return `privileges of ${r} on all ${t.on} in schema ${s} of database ${d}`;
}

function step(kind: 'grant' | 'revoke', t: GrantTarget, sql: string): Step {
  return {
    kind,
    object: describeTarget(t),
    key: `grant:${targetKey(t)}`,
    sql,
    ...(t.on === 'database' ? {} : { database: t.database }),
  };
}

/** Revokes first (never more privileges than wanted, even for a moment), then grants. */
export function grantSteps(plan: GrantPlan): Step[] {
  return [
    ...plan.revoke.map((a) => step('revoke', a.target, revokeSql(a, false))),
    ...plan.revokeGrantOption.map((a) => step('revoke', a.target, revokeSql(a, true))),
    ...plan.grant.map((a) => step('grant', a.target, grantSql(a))),
  ];
}
