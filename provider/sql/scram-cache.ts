/**
 * node-postgres derives SCRAM's SaltedPassword (PBKDF2, 4,096 rounds: ~4 ms of CPU on this kind of
 * machine) on every connection, though it depends only on the password, the role's salt and the
 * round count, which the server keeps the same. An apply opens one connection per database (100
 * databases: 100 derivations of one key), so the process remembers the derived key, in memory only,
 * next to the password it already holds. pg is pinned; if its internals move, nothing is cached.
 */
type DeriveKey = (password: string, salt: Uint8Array, iterations: number) => Promise<ArrayBuffer>;

const MAX_ENTRIES = 64;
let installed = false;

export function cacheScramKeys(): void {
  if (installed) return;
  installed = true;
  let utils: { deriveKey?: DeriveKey };
  try {
    // An internal module without types, patched in place: only require() reaches the same object.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    utils = require('pg/lib/crypto/utils') as { deriveKey?: DeriveKey };
  } catch {
    return;
  }
  const derive = utils.deriveKey;
  if (typeof derive !== 'function') return;
  const cache = new Map<string, Promise<ArrayBuffer>>();
  utils.deriveKey = (password, salt, iterations) => {
    const key = `${iterations}\0${Buffer.from(salt).toString('base64')}\0${password}`;
    let found = cache.get(key);
    if (!found) {
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
      found = derive(password, salt, iterations);
      found.catch(() => cache.delete(key));
      cache.set(key, found);
    }
    return found;
  };
}
