/** Returns a copy of a plain-data value with object keys in sorted order, so rendering is deterministic. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort()) {
      out[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return out as T;
  }
  return value;
}

/** Config values never carry a line break into a generated file. */
export function oneLine(value: string): string {
  return value.replace(/[\r\n\0]+/g, ' ');
}
