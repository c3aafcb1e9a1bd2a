/** Cross-field rules of grants[] (part of the one rule table, through rules-sql.ts). Pure. */
import type { ClusterSpec } from './cluster';
import { DEFAULT_PRIVILEGE_TARGETS, PRIVILEGES_ON } from './grants';
import { identifierIssue, OWNED_ROLES } from './identifiers';
import { refused, roleRef, type SqlRule } from './rules-sql-helpers';

const grantKey = (g: ClusterSpec['grants'][number]) =>
  JSON.stringify([g.role, g.database, g.on, g.schema ?? null, g.createdBy ?? null]);

export const GRANT_RULES: SqlRule[] = [
  (s) =>
    s.grants.flatMap((g, i) => {
      const path = `grants[${i}]`;
      const owned = Object.hasOwn(OWNED_ROLES, g.role)
        ? refused(`${path}.role`, g.role, `owned by pgcluster (${OWNED_ROLES[g.role]})`)
        : roleRef(s, `${path}.role`, g.role);
      const db = s.databases.find((d) => d.name === g.database);
      return [
        owned,
        identifierIssue(`${path}.database`, g.database) ??
          (db?.ensure === 'absent'
            ? refused(`${path}.database`, g.database, 'databases declares it with ensure: absent')
            : g.on !== 'database' && db?.allowConnections === false
              ? refused(
                  `${path}.database`,
                  g.database,
                  'its allowConnections is false: its schemas cannot be reached',
                )
              : undefined),
      ];
    }),
  (s) =>
    s.grants.map((g, i) => {
      const path = `grants[${i}]`;
      if (g.on === 'database')
        return g.schema !== undefined
          ? refused(`${path}.schema`, g.schema, 'on: database takes no schema')
          : undefined;
      if (g.schema === undefined) return { path: `${path}.schema`, message: `is required for on: ${g.on}` };
      return identifierIssue(`${path}.schema`, g.schema);
    }),
  (s) =>
    s.grants.flatMap((g, i) => {
      const allowed = PRIVILEGES_ON[g.on];
      return g.privileges.map((p, j) => {
        const path = `grants[${i}].privileges[${j}]`;
        if (g.privileges.indexOf(p) !== j) return refused(path, p, 'listed twice');
        if (p === 'ALL')
          return g.privileges.length > 1 ? refused(path, p, 'ALL already includes the others') : undefined;
        return allowed.includes(p)
          ? undefined
          : refused(path, p, `on: ${g.on} takes ${allowed.join(', ')} or ALL`);
      });
    }),
  (s) =>
    s.grants.map((g, i) => {
      if (g.createdBy === undefined) return undefined;
      const path = `grants[${i}].createdBy`;
      if (!DEFAULT_PRIVILEGE_TARGETS.includes(g.on))
        return refused(
          path,
          g.createdBy,
          `default privileges apply to on: ${DEFAULT_PRIVILEGE_TARGETS.join(', ')}`,
        );
      if (g.createdBy === g.role)
        return refused(path, g.createdBy, 'a role always has every privilege on what it creates');
      return roleRef(s, path, g.createdBy);
    }),
  (s) => {
    const first = new Map<string, number>();
    return s.grants.map((g, i) => {
      const key = grantKey(g);
      const j = first.get(key);
      if (j === undefined) {
        first.set(key, i);
        return undefined;
      }
      return refused(
        `grants[${i}]`,
        { role: g.role, database: g.database, on: g.on },
        `duplicates grants[${j}]: one entry per role and target lists all its privileges`,
      );
    });
  },
];
