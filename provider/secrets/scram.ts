import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export const SCRAM_ITERATIONS = 4096;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677), in pg_authid's
 * format `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`. Setting a role's password to
 * this string stores it as is, so the plaintext never reaches the server, and PgBouncer can use the
 * same verifier to log in to the server on the client's behalf.
 */
export function scramVerifier(
  password: string,
  salt: Buffer = randomBytes(16),
  iterations = SCRAM_ITERATIONS,
): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** A random password: 32 URL-safe characters (192 bits). */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * A verifier whose salt derives from the password and a context (e.g. the cluster and role), so
 * that re-rendering it gives the same text: no diff, no restart, on every deployment.
 */
export function stableScramVerifier(password: string, context: string): string {
  const salt = createHash('sha256').update(`pgcluster:${context}:${password}`).digest().subarray(0, 16);
  return scramVerifier(password, salt);
}

/**
 * The verifier pgcluster sets for a managed role: stable per role and password, so a pooler's auth
 * file rendered elsewhere (a Kubernetes Secret, the Pulumi local cluster) holds the very verifier
 * the server has, and PgBouncer can log in to the server with the client's proof.
 */
export function roleVerifier(role: string, password: string): string {
  // The salt is public (it is in the verifier), so it is derived as slowly as SCRAM's own key:
  // guessing a chosen password from it costs no less than from the StoredKey.
  const salt = pbkdf2Sync(
    password.normalize('NFKC'),
    `pgcluster:role:${role}`,
    SCRAM_ITERATIONS,
    16,
    'sha256',
  );
  return scramVerifier(password, salt);
}
