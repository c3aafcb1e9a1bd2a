/**
 * Cross-field rules of roles[], databases[] and grants[]; part of the one rule table (rules.ts).
 * Each names the field, the value and what is allowed. Pure.
 */
import type { ClusterSpec } from './cluster';
import { secretRefIssue } from './secret-ref';
import { appOf } from './bootstrap';
import { showValue, type SpecIssue } from './errors';
import {
  identifierIssue,
  OWNED_DATABASES,
  OWNED_ROLES,
  reservedRoleReason,
  reservedSchemaReason,
} from './identifiers';
import { GRANT_RULES } from './rules-grants';
import { duplicates, refused, roleRef, TIMESTAMP, type SqlRule } from './rules-sql-helpers';

const initdbOwner = (s: ClusterSpec) => appOf(s.bootstrap).owner;
const initdbDatabase = (s: ClusterSpec) => appOf(s.bootstrap).database;
/** The bootstrap method in use, as the messages name it (bootstrap.initdb, bootstrap.recovery, ...). */
const method = (s: ClusterSpec) =>
  `bootstrap.${s.bootstrap.initdb ? 'initdb' : s.bootstrap.pgBasebackup ? 'pgBasebackup' : 'recovery'}`;

const ROLE_RULES: SqlRule[] = [
  (s) => duplicates(s.roles, (i) => `roles[${i}].name`, 'role'),
  (s) =>
    s.roles.map((r, i) => {
      const path = `roles[${i}].name`;
      const owned =
        OWNED_ROLES[r.name] ??
        (r.name === initdbOwner(s) ? `created by ${method(s)} with a generated password` : undefined);
      if (owned) return refused(path, r.name, `owned by pgcluster (${owned})`);
      const reserved = reservedRoleReason(r.name);
      return reserved ? refused(path, r.name, reserved) : identifierIssue(path, r.name);
    }),
  (s) =>
    s.roles.flatMap((r, i) =>
      r.inRoles.map((parent, j) => {
        const path = `roles[${i}].inRoles[${j}]`;
        if (parent === r.name) return refused(path, parent, 'a role cannot be a member of itself');
        if (r.inRoles.indexOf(parent) !== j) return refused(path, parent, 'listed twice');
        if (Object.hasOwn(OWNED_ROLES, parent))
          return refused(path, parent, `owned by pgcluster (${OWNED_ROLES[parent]}); not a group role`);
        return roleRef(s, path, parent);
      }),
    ),
  (s) =>
    s.roles.map((r, i) => {
      const p = r.password;
      if (!p) return undefined;
      const path = `roles[${i}].password`;
      const bad = secretRefIssue(path, p);
      if (bad) return bad;
      if (r.ensure === 'absent') return refused(path, p, 'a role with ensure: absent has no password');
      return undefined;
    }),
  (s) =>
    s.roles.map((r, i) => {
      const v = r.validUntil;
      if (v === undefined || v === 'infinity') return undefined;
      return TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v.replace(' ', 'T')))
        ? undefined
        : refused(
            `roles[${i}].validUntil`,
            v,
            'must be an ISO 8601 timestamp with a time zone (2030-01-01T00:00:00Z) or "infinity"',
          );
    }),
  (s) =>
    s.roles.map((r, i) =>
      r.comment !== undefined && r.comment.includes('\0')
        ? refused(`roles[${i}].comment`, r.comment, 'must not contain NUL')
        : undefined,
    ),
];

const DATABASE_RULES: SqlRule[] = [
  (s) => duplicates(s.databases, (i) => `databases[${i}].name`, 'database'),
  (s) =>
    s.databases.map((d, i) => {
      const path = `databases[${i}].name`;
      if (Object.hasOwn(OWNED_DATABASES, d.name))
        return refused(path, d.name, `owned by pgcluster or PostgreSQL (${OWNED_DATABASES[d.name]})`);
      return identifierIssue(path, d.name);
    }),
  (s) =>
    s.databases.map((d, i) =>
      d.ensure === 'absent' && d.reclaimPolicy !== 'delete'
        ? refused(
            `databases[${i}].ensure`,
            d.ensure,
            'a database is dropped only with reclaimPolicy: delete; set it to drop this one with its data',
          )
        : undefined,
    ),
  (s) =>
    s.databases.flatMap((d, i) => {
      if (d.name !== initdbDatabase(s)) return [];
      const path = `databases[${i}]`;
      return [
        d.ensure === 'absent'
          ? refused(`${path}.ensure`, d.ensure, `the bootstrap database (${method(s)}.database) stays`)
          : undefined,
        d.reclaimPolicy === 'delete'
          ? refused(
              `${path}.reclaimPolicy`,
              d.reclaimPolicy,
              `the bootstrap database (${method(s)}.database) is never dropped`,
            )
          : undefined,
        d.owner !== undefined && d.owner !== initdbOwner(s)
          ? refused(
              `${path}.owner`,
              d.owner,
              `the bootstrap database is owned by ${method(s)}.owner (${showValue(initdbOwner(s))})`,
            )
          : undefined,
      ];
    }),
  (s) =>
    s.databases.flatMap((d, i) => [
      d.owner === undefined ? undefined : roleRef(s, `databases[${i}].owner`, d.owner),
      d.template === undefined ? undefined : identifierIssue(`databases[${i}].template`, d.template),
      d.locale !== undefined && (d.lcCollate !== undefined || d.lcCtype !== undefined)
        ? refused(`databases[${i}].locale`, d.locale, 'set either locale or lcCollate/lcCtype, not both')
        : undefined,
      ...(['encoding', 'locale', 'lcCollate', 'lcCtype'] as const).map((k) => {
        const v = d[k];
        return v !== undefined && (v === '' || /[\0\r\n]/.test(v))
          ? refused(`databases[${i}].${k}`, v, 'must be a non-empty value on one line')
          : undefined;
      }),
      !d.allowConnections && (d.schemas.length > 0 || d.extensions.length > 0)
        ? refused(
            `databases[${i}].allowConnections`,
            false,
            'schemas and extensions are managed by connecting to the database; allow connections or remove them',
          )
        : undefined,
    ]),
  (s) =>
    s.databases.flatMap((d, i) => [
      ...duplicates(d.schemas, (j) => `databases[${i}].schemas[${j}].name`, 'schema'),
      ...d.schemas.flatMap((sc, j) => {
        const path = `databases[${i}].schemas[${j}]`;
        const reserved = reservedSchemaReason(sc.name);
        return [
          reserved ? refused(`${path}.name`, sc.name, reserved) : identifierIssue(`${path}.name`, sc.name),
          sc.owner === undefined ? undefined : roleRef(s, `${path}.owner`, sc.owner),
        ];
      }),
      ...duplicates(d.extensions, (j) => `databases[${i}].extensions[${j}].name`, 'extension'),
      ...d.extensions.flatMap((e, j) => {
        const path = `databases[${i}].extensions[${j}]`;
        return [
          identifierIssue(`${path}.name`, e.name),
          e.schema === undefined ? undefined : identifierIssue(`${path}.schema`, e.schema),
          e.version !== undefined && (e.version === '' || /[\0\r\n]/.test(e.version))
            ? refused(`${path}.version`, e.version, 'must be a non-empty version on one line')
            : undefined,
        ];
      }),
    ]),
];

export const SQL_RULES: readonly SqlRule[] = [...ROLE_RULES, ...DATABASE_RULES, ...GRANT_RULES];

/** Runs the rules of roles, databases and grants. */
export function checkSqlRules(spec: ClusterSpec): SpecIssue[] {
  return SQL_RULES.flatMap((rule) => {
    const found = rule(spec);
    const list = Array.isArray(found) ? found : [found];
    return list.filter((i): i is SpecIssue => i !== undefined);
  });
}
