/**
 * The JSON merge patch (RFC 7396, as Patroni's PATCH /config takes it) that turns the cluster's
 * current dynamic configuration into the desired one, for the keys pgcluster manages. Keys the
 * spec no longer sets are removed (null); keys outside ours are left alone. Pure.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Merge patch from `current` to `desired`; `owned` lists the maps whose extra keys we remove. */
export function mergePatch(
  current: unknown,
  desired: unknown,
  owned: (path: string) => boolean,
  path = '',
): Json | undefined {
  if (!isObject(desired) || !isObject(current))
    return equal(current, desired) ? undefined : (desired as Json);
  const patch: Record<string, Json> = {};
  for (const key of Object.keys(desired)) {
    const sub = mergePatch(current[key], desired[key], owned, path ? `${path}.${key}` : key);
    if (sub !== undefined) patch[key] = sub;
  }
  if (owned(path)) for (const key of Object.keys(current)) if (!(key in desired)) patch[key] = null;
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/** Patroni normalises values it stores; compare parameters as strings so 100 equals "100". */
function normaliseParameters(config: Record<string, unknown>): Record<string, unknown> {
  const pg = config.postgresql;
  if (!isObject(pg) || !isObject(pg.parameters)) return config;
  const parameters: Record<string, string> = {};
  for (const [k, v] of Object.entries(pg.parameters))
    parameters[k] = typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v);
  return { ...config, postgresql: { ...pg, parameters } };
}

export function dynamicConfigPatch(
  current: Record<string, unknown>,
  desired: Record<string, unknown>,
): Record<string, Json> | undefined {
  const patch = mergePatch(
    normaliseParameters(current),
    normaliseParameters(desired),
    (p) => p === 'postgresql.parameters',
  );
  return patch as Record<string, Json> | undefined;
}

/** Names of the PostgreSQL parameters a patch changes or removes. */
export function changedParameters(patch: Record<string, Json> | undefined): string[] {
  const pg = patch?.postgresql;
  return isObject(pg) && isObject(pg.parameters) ? Object.keys(pg.parameters).sort() : [];
}
