/**
 * From ACL rows (one per object and privilege of a grantee we manage, or one per object without
 * any) to what each target observes. Pure, so the counting rules are unit-tested: objects the role
 * owns are skipped; a schema or default-privileges target is one object; a missing schema counts as
 * one object holding nothing (so its grant is planned and fails with "schema does not exist").
 */
import type { GrantTarget, ObservedGrant } from './model';

export type ObjectKind = 'schema' | 'tables' | 'sequences' | 'functions' | 'default';

export interface AclRow {
  kind: ObjectKind;
  schema: string;
  /** The object (a relation or function oid; for schemas and defaults, the schema / pg_default_acl row). */
  obj: string;
  owner: string;
  /** Default privileges: their objtype (r, S, f). */
  objtype: string | null;
  grantee: string | null;
  priv: string | null;
  grantable: boolean | null;
}

export const DEFAULT_OBJTYPE: Readonly<Record<string, string>> = {
  tables: 'r',
  sequences: 'S',
  functions: 'f',
};

interface Seen {
  owner: string;
  objtype: string | null;
  /** privilege -> grantable, by grantee name. */
  acl: Map<string, Map<string, boolean>>;
}

const bucket = (kind: string, schema: string) => `${kind}\u0000${schema}`;

/** What every target observes, from the rows of its database and the oids of the roles involved. */
export function aggregateGrants(
  targets: readonly GrantTarget[],
  rows: readonly AclRow[],
  roleOids: ReadonlyMap<string, string>,
): ObservedGrant[] {
  const objects = new Map<string, Map<string, Seen>>();
  for (const row of rows) {
    const key = bucket(row.kind, row.schema);
    const inBucket = objects.get(key) ?? new Map<string, Seen>();
    objects.set(key, inBucket);
    const seen = inBucket.get(row.obj) ?? { owner: row.owner, objtype: row.objtype, acl: new Map() };
    inBucket.set(row.obj, seen);
    if (row.grantee !== null && row.priv !== null) {
      const privileges = seen.acl.get(row.grantee) ?? new Map<string, boolean>();
      seen.acl.set(row.grantee, privileges);
      privileges.set(row.priv, (privileges.get(row.priv) ?? false) || row.grantable === true);
    }
  }
  return targets.map((target) => {
    const observed: ObservedGrant = { target, objects: 0, has: {}, grantable: {} };
    const roleOid = roleOids.get(target.role);
    const schemaExists = objects.has(bucket('schema', target.schema ?? ''));
    let candidates: Seen[];
    if (target.createdBy !== undefined) {
      const creator = roleOids.get(target.createdBy);
      const objtype = DEFAULT_OBJTYPE[target.on];
      const found = [...(objects.get(bucket('default', target.schema ?? ''))?.values() ?? [])].filter(
        (s) => s.owner === creator && s.objtype === objtype,
      );
      candidates = found.length > 0 ? found : [{ owner: '', objtype: objtype ?? null, acl: new Map() }];
    } else if (target.on === 'schema' || !schemaExists) {
      const schema = objects
        .get(bucket('schema', target.schema ?? ''))
        ?.values()
        .next().value;
      candidates = [schema ?? { owner: '', objtype: null, acl: new Map() }];
    } else candidates = [...(objects.get(bucket(target.on, target.schema ?? ''))?.values() ?? [])];
    for (const seen of candidates) {
      if (roleOid !== undefined && seen.owner === roleOid) continue;
      observed.objects++;
      for (const [priv, grantable] of seen.acl.get(target.role) ?? []) {
        observed.has[priv] = (observed.has[priv] ?? 0) + 1;
        if (grantable) observed.grantable[priv] = (observed.grantable[priv] ?? 0) + 1;
      }
    }
    return observed;
  });
}
