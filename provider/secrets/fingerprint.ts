/**
 * What pgcluster keeps of a password it set: a salted HMAC-SHA-256, enough to tell whether the
 * desired password changed without reading the role's verifier back from the server. Fast on
 * purpose (a no-op plan of hundreds of roles stays well under 200 ms), so the state that holds it
 * must stay private (the local platform's cluster.json is 0600; Pulumi keeps it as a secret output).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'hmac-sha256';

export function passwordFingerprint(password: string, salt: Buffer = randomBytes(16)): string {
  const digest = createHmac('sha256', salt).update(password, 'utf8').digest();
  return `${PREFIX}$${salt.toString('base64')}$${digest.toString('base64')}`;
}

/** True when `fingerprint` was made from `password`. Malformed or absent fingerprints never match. */
export function fingerprintMatches(password: string, fingerprint: string | undefined): boolean {
  const parts = fingerprint?.split('$');
  if (parts?.length !== 3 || parts[0] !== PREFIX) return false;
  const expected = Buffer.from(parts[2] as string, 'base64');
  const actual = createHmac('sha256', Buffer.from(parts[1] as string, 'base64'))
    .update(password, 'utf8')
    .digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
