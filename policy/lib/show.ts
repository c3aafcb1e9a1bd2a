/** Values in messages: strings quoted, absent values said as such, objects as compact JSON. */
export function show(value: unknown): string {
  if (value === undefined) return 'not set';
  if (typeof value === 'string') return JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}
