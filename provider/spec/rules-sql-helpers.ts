/** What the rules of roles[], databases[] and grants[] share: refusals, duplicates, role references. Pure. */
import type { ClusterSpec } from './cluster';
import { showValue, type SpecIssue } from './errors';
import { identifierIssue, NOT_A_ROLE } from './identifiers';

export type SqlRule = (spec: ClusterSpec) => Array<SpecIssue | undefined> | SpecIssue | undefined;

/** ISO 8601 with a time zone: a bare date or local time would depend on the server's TimeZone. */
export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)$/;

export const refused = (path: string, value: unknown, why: string): SpecIssue => ({
  path,
  message: `${showValue(value)} is not allowed: ${why}`,
});

/** Names that appear more than once; a present and an absent entry of one name get their own message. */
export function duplicates(
  entries: ReadonlyArray<{ name: string; ensure?: string }>,
  path: (i: number) => string,
  what: string,
): SpecIssue[] {
  const first = new Map<string, number>();
  return entries.flatMap((e, i) => {
    const j = first.get(e.name);
    if (j === undefined) {
      first.set(e.name, i);
      return [];
    }
    const other = entries[j];
    const both = other?.ensure !== undefined && other.ensure !== e.ensure;
    return [
      refused(
        path(i),
        e.name,
        both
          ? `${what} cannot be both present and absent (see ${path(j)})`
          : `duplicates ${path(j)}: each ${what} is declared once`,
      ),
    ];
  });
}

function absentRoles(s: ClusterSpec): Set<string> {
  return new Set(s.roles.filter((r) => r.ensure === 'absent').map((r) => r.name));
}

/** A reference to a role (owner, member of, grantee): a valid name that the spec does not drop. */
export function roleRef(s: ClusterSpec, path: string, name: string): SpecIssue | undefined {
  const bad = identifierIssue(path, name);
  if (bad) return bad;
  if ((NOT_A_ROLE as readonly string[]).includes(name))
    return refused(path, name, `"${name}" is not a role name PostgreSQL accepts here`);
  if (absentRoles(s).has(name))
    return refused(path, name, `roles declares it with ensure: absent, so it would be dropped`);
  return undefined;
}
