/**
 * The objects bootstrap.initdb promises: the application owner role (its password stored as the
 * SCRAM verifier, set with statement logging off) and the application database. Idempotent:
 * nothing is executed when both exist as they should.
 */
import { escapeIdentifier, escapeLiteral, type Client } from 'pg';

export interface AppObjects {
  owner: string;
  database: string;
  /** SCRAM-SHA-256 verifier of the owner's password. */
  verifier: string;
}

/** Returns the statements it ran (passwords redacted) so callers can report and tests can count. */
export async function ensureAppObjects(client: Client, app: AppObjects): Promise<string[]> {
  const ran: string[] = [];
  const role = await client.query<{ rolpassword: string | null; rolcanlogin: boolean }>(
    'select rolpassword, rolcanlogin from pg_authid where rolname = $1',
    [app.owner],
  );
  const current = role.rows[0];
  if (!current || current.rolpassword !== app.verifier || !current.rolcanlogin) {
    const verb = current ? 'ALTER' : 'CREATE';
    await quietly(
      client,
      `${verb} ROLE ${escapeIdentifier(app.owner)} LOGIN PASSWORD ${escapeLiteral(app.verifier)}`,
    );
    ran.push(`${verb} ROLE ${escapeIdentifier(app.owner)} LOGIN PASSWORD '***'`);
  }
  const db = await client.query('select 1 from pg_database where datname = $1', [app.database]);
  if (db.rowCount === 0) {
    const sql = `CREATE DATABASE ${escapeIdentifier(app.database)} OWNER ${escapeIdentifier(app.owner)}`;
    await client.query(sql);
    ran.push(sql);
  }
  return ran;
}

/**
 * Sets the role's password to that SCRAM verifier when it holds another, with statement logging
 * off; true when it did.
 */
export async function ensureVerifier(client: Client, role: string, verifier: string): Promise<boolean> {
  const found = await client.query<{ rolpassword: string | null }>(
    'select rolpassword from pg_authid where rolname = $1',
    [role],
  );
  if (found.rows[0]?.rolpassword === verifier) return false;
  await quietly(client, `ALTER ROLE ${escapeIdentifier(role)} PASSWORD ${escapeLiteral(verifier)}`);
  return true;
}

/** One statement in a transaction with statement logging off (it holds a password verifier). */
async function quietly(client: Client, sql: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query("SET LOCAL log_statement = 'none'");
    await client.query(sql);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
