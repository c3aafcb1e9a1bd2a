/**
 * Policy configuration with defaults applied here, whatever the engine passes: the policy's own
 * defaults, then the keys the user set (an unset key keeps its default).
 */
export function configWithDefaults<T extends object>(
  args: { getConfig<C extends object>(): C },
  defaults: T,
): T {
  const given = args.getConfig<Partial<T>>() ?? {};
  const set = Object.entries(given).filter(([, v]) => v !== undefined && v !== null);
  return { ...defaults, ...(Object.fromEntries(set) as Partial<T>) };
}
