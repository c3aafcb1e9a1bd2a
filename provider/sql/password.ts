/**
 * Setting a password. The SCRAM verifier is computed here (stable per role and password: see
 * roleVerifier), so the clear password never reaches the server; it is set in its own transaction that first turns statement logging off
 * (log_statement, log_min_duration_statement, log_min_error_statement, pg_stat_statements) in a
 * separate round trip, so the server has decided not to log before it receives the statement.
 * Turning logging off needs a superuser: a password is never set with logging on.
 */
import type { Client } from 'pg';
import { roleVerifier } from '../secrets/scram';
import { setPasswordSql } from './roles/statements';

export const QUIET_TRANSACTION = [
  'BEGIN',
  "SET LOCAL log_statement = 'none'",
  'SET LOCAL log_min_duration_statement = -1',
  "SET LOCAL log_min_error_statement = 'panic'",
  'SET LOCAL pg_stat_statements.track_utility = off',
].join('; ');

/**
 * Sets passwords in one quiet transaction: logging off first, then every ALTER ROLE in a single
 * round trip (the server decides whether to log a message when it receives it: by then logging is
 * off), then COMMIT. All or nothing.
 */
export async function setPasswordsQuietly(
  client: Client,
  passwords: ReadonlyArray<readonly [role: string, secret: string]>,
): Promise<void> {
  const sql = passwords.map(([role, secret]) => setPasswordSql(role, roleVerifier(role, secret))).join(';\n');
  try {
    await client.query(QUIET_TRANSACTION);
    await client.query(sql);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

export function setPasswordQuietly(client: Client, role: string, secret: string): Promise<void> {
  return setPasswordsQuietly(client, [[role, secret]]);
}
