import { z } from 'zod';

/** The marker that rules.ts looks for: a key the spec declares but this version cannot honour yet. */
export const NOT_YET_SUPPORTED = 'Not supported yet';

/**
 * Declares a key of the public spec that a later version implements. It parses any value, so the
 * key is known (no "unknown key" error), and the cross-field rules refuse it with a clear message
 * whenever it is set: a declared key is never silently ignored.
 */
export function notYetSupported(what: string) {
  return z.unknown().optional().describe(`${NOT_YET_SUPPORTED}: ${what}`);
}
