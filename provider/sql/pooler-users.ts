/**
 * Who may log in through the pooler besides the application owner: the spec's login roles that
 * have a password and are not superusers. PgBouncer authenticates them with the SCRAM verifier the
 * server holds (the same salt, so PgBouncer can log in to the server with the client's own proof),
 * never with a clear password: read back from pg_authid where the deployer can (`pgcluster up`),
 * computed as pgcluster sets it where the pooler is rendered before the roles exist (Pulumi).
 */
import type { Client } from 'pg';
import type { RoleSpec } from '../spec/roles';
import { roleVerifier } from '../secrets/scram';

export interface PoolerUser {
  user: string;
  /** The role's SCRAM verifier, as pg_authid has it. */
  secret: string;
}

/** The roles[] entries the pooler admits: present, login, a password, not a superuser. */
export function poolerRoles(roles: readonly RoleSpec[]): string[] {
  return roles
    .filter((r) => r.ensure === 'present' && r.login && r.password !== undefined && !r.superuser)
    .map((r) => r.name)
    .sort();
}

/** Their verifiers on the server (a role whose password is not SCRAM, or is gone, is left out). */
export async function poolerVerifiers(client: Client, roles: readonly string[]): Promise<PoolerUser[]> {
  if (roles.length === 0) return [];
  const { rows } = await client.query<{ user: string; secret: string }>(
    `select rolname as user, rolpassword as secret from pg_authid
     where rolname = any($1::text[]) and rolcanlogin and not rolsuper and rolpassword like 'SCRAM-SHA-256$%'
     order by rolname`,
    [roles],
  );
  return rows;
}

/** The verifiers pgcluster sets for those roles (roleVerifier), from their resolved passwords. */
export function poolerUsersFrom(
  roles: readonly RoleSpec[],
  passwords: ReadonlyMap<string, string>,
): PoolerUser[] {
  return poolerRoles(roles).flatMap((user) => {
    const password = passwords.get(user);
    return password !== undefined ? [{ user, secret: roleVerifier(user, password) }] : [];
  });
}
