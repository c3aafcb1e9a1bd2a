/**
 * Storage quantities as Kubernetes writes them ("10Gi", "500Mi", "2G", "1073741824"), as bytes, by
 * @kubernetes/client-node's quantity parser (its util module: no network, no files).
 */
import { quantityToScalar } from '@kubernetes/client-node/dist/util.js';

/** What a volume size may look like here, for error messages. */
export const STORAGE_QUANTITY_FORMS =
  'a whole number of bytes or of Ki, Mi, Gi, Ti, Pi, Ei, k, M, G, T, P, E (e.g. 10Gi, 500Mi, 20G)';

const BINARY_OR_DECIMAL = new Set(['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'k', 'M', 'G', 'T', 'P', 'E']);

/** The bytes of a storage quantity, or undefined when it is not one (fractions, m, n, units of CPU). */
export function storageBytes(quantity: string): bigint | undefined {
  const suffix = quantity.replace(/^[0-9]+/, '');
  if (!BINARY_OR_DECIMAL.has(suffix) || suffix.length === quantity.length) return undefined;
  try {
    const value = quantityToScalar(quantity);
    return typeof value === 'bigint' ? value : Number.isInteger(value) ? BigInt(value) : undefined;
  } catch {
    return undefined;
  }
}
