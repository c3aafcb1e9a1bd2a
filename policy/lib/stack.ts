/**
 * Which stack a resource belongs to, and whether that stack counts as production. The policy
 * SDK does not hand policies the stack name, but every URN carries it:
 * `urn:pulumi:<stack>::<project>::<type>::<name>`.
 */

export const DEFAULT_PRODUCTION_STACKS: readonly string[] = ['prod*', 'production*'];

/** The stack name in a URN, or undefined when the text is not a Pulumi URN. */
export function stackOfUrn(urn: string): string | undefined {
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  return match?.[1];
}

/**
 * True when the stack name matches one of the patterns: `*` stands for any run of characters,
 * `?` for one; the rest is literal; the whole name must match; case is ignored ("Prod-eu" is
 * production under "prod*").
 */
export function matchesStackPattern(stack: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => globToRegExp(pattern).test(stack));
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.+()[\]{}|/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}
