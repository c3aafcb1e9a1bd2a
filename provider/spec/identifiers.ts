/** PostgreSQL names in the spec: what any identifier must satisfy, and the names that are taken. */
import { showValue, type SpecIssue } from './errors';
import { POOLER_ADMIN_USER, REPLICATION_USER, REWIND_USER, SUPERUSER } from '../naming';

/** NAMEDATALEN - 1: PostgreSQL silently truncates longer names, so the spec refuses them. */
export const MAX_IDENTIFIER_BYTES = 63;

/** A name PostgreSQL stores as written: 1..63 bytes, no NUL or line breaks. */
export function identifierIssue(path: string, value: string): SpecIssue | undefined {
  if (value.length === 0) return { path, message: '"" is not allowed: must not be empty' };
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES)
    return {
      path,
      message: `${showValue(value)} is not allowed: PostgreSQL names are at most ${MAX_IDENTIFIER_BYTES} bytes (this one is ${bytes})`,
    };
  if (/[\0\r\n]/.test(value))
    return { path, message: `${showValue(value)} is not allowed: must not contain NUL or newlines` };
  return undefined;
}

/** Roles pgcluster creates and owns, with the reason a spec may not manage them. */
export const OWNED_ROLES: Readonly<Record<string, string>> = {
  [SUPERUSER]: 'the superuser pgcluster and Patroni connect as',
  [REPLICATION_USER]: "Patroni's replication role",
  [REWIND_USER]: "pg_rewind's role",
  [POOLER_ADMIN_USER]: "the pooler's admin role",
};

/** Role names PostgreSQL itself refuses or gives a meaning to. */
export function reservedRoleReason(name: string): string | undefined {
  if (name.startsWith('pg_'))
    return 'names starting with pg_ are reserved by PostgreSQL for predefined roles';
  if (name === 'public' || name === 'none') return `"${name}" is reserved by PostgreSQL`;
  return undefined;
}

/** Names that may not be used to refer to a role: `public` would mean every role. */
export const NOT_A_ROLE = ['public', 'none'] as const;

export const OWNED_DATABASES: Readonly<Record<string, string>> = {
  postgres: 'the maintenance database pgcluster and Patroni connect to',
  template0: 'a PostgreSQL template',
  template1: 'a PostgreSQL template',
};

export function reservedSchemaReason(name: string): string | undefined {
  if (name.startsWith('pg_')) return 'names starting with pg_ are reserved by PostgreSQL for system schemas';
  if (name === 'information_schema') return 'the SQL standard catalog schema';
  return undefined;
}
