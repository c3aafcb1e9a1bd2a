/**
 * The `up` step that applies roles[], databases[] and grants[] on the primary, after the bootstrap
 * objects. Every statement is reported (passwords redacted); a failure does not stop the other
 * statements; what is managed (with password fingerprints) is stored whatever happened.
 */
import type { ClusterSpec } from '../spec/cluster';
import type { ClusterAccess, PgEndpoint } from '../platform/types';
import { InputError } from '../errors';
import { desiredFromSpec } from '../sql/desired';
import type { SqlFailure } from '../sql/errors';
import { emptyManaged } from '../sql/managed';
import { reconcileSql } from '../sql/reconcile';
import { showStep } from '../sql/steps';
import { poolerRoles, poolerVerifiers } from '../sql/pooler-users';
import { connectTo, withClient } from '../sql/connect';
import type { Reporter } from '../report/reporter';

export interface SqlObjectsResult {
  statements: number;
  failures: SqlFailure[];
}

/** Roles with a password reference that has no resolved password: a caller's mistake, found before anything runs. */
export function checkPasswords(spec: ClusterSpec, passwords: ReadonlyMap<string, string>): void {
  const missing = spec.roles.filter((r) => r.ensure === 'present' && r.password && !passwords.has(r.name));
  if (missing.length > 0)
    throw new InputError(
      `roles: no password was given for ${missing.map((r) => JSON.stringify(r.name)).join(', ')}`,
    );
}

/** True when the spec declares, or pgcluster still manages, something in SQL. */
export function hasSqlObjects(spec: ClusterSpec, access: ClusterAccess): boolean {
  const managed = access.managedSql?.();
  const remembered =
    managed !== undefined &&
    (Object.keys(managed.roles).length > 0 ||
      Object.keys(managed.databases).length > 0 ||
      managed.grants.length > 0);
  return spec.roles.length > 0 || spec.databases.length > 0 || spec.grants.length > 0 || remembered;
}

export async function applySqlObjects(
  access: ClusterAccess,
  spec: ClusterSpec,
  primary: PgEndpoint,
  passwords: ReadonlyMap<string, string>,
  reporter: Reporter,
): Promise<SqlObjectsResult> {
  if (!hasSqlObjects(spec, access)) return { statements: 0, failures: [] };
  const superuser = access.superuser();
  // The local platform's superuser goes over the primary's socket (peer: no password, no TLS).
  const socket = superuser.socketFor?.(primary);
  const result = await reconcileSql(
    {
      host: socket ?? primary.host,
      port: primary.port,
      user: superuser.user,
      database: 'postgres',
      password: superuser.password,
      ...(!socket && superuser.ssl ? { ssl: superuser.ssl } : {}),
    },
    desiredFromSpec(spec, passwords),
    access.managedSql?.() ?? emptyManaged(),
    { onStep: (step) => reporter.step(showStep(step)) },
  );
  access.saveManagedSql?.(result.managed);
  for (const note of result.notes) reporter.step(note);
  const n = result.executed.length;
  const k = result.skipped.length;
  reporter.step(
    `roles, databases and grants: ${n === 0 ? 'nothing to change' : `${n} statement${n === 1 ? '' : 's'}`}` +
      (result.failures.length > 0 ? `, ${result.failures.length} failed` : '') +
      (k > 0 ? ` (${k} database${k === 1 ? '' : 's'} unchanged since the last apply, not re-read)` : ''),
  );
  return { statements: n, failures: result.failures };
}

/**
 * Stores the managed login roles the pooler admits with their current server verifiers, for the
 * pooler step that follows (an empty list removes those that left). Nothing when the platform does
 * not keep them or the pooler is off.
 */
export async function refreshPoolerUsers(
  access: ClusterAccess,
  spec: ClusterSpec,
  primary: PgEndpoint,
): Promise<void> {
  if (!access.savePoolerUsers || !spec.pooler.enabled) return;
  const roles = poolerRoles(spec.roles);
  const users =
    roles.length === 0
      ? []
      : await withClient(await connectTo(primary, access.superuser()), (c) => poolerVerifiers(c, roles));
  access.savePoolerUsers(users);
}
