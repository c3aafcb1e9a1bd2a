/**
 * Databases: desired vs observed -> ordered action buckets. Pure. A database is dropped only when
 * it is absent from the spec's point of view AND its reclaimPolicy is delete; otherwise the plan
 * says it is retained. Creation-only settings that differ are conflicts, never a recreate.
 */
import type {
  ContentsPlan,
  DatabaseChanges,
  DatabasePlan,
  DesiredDatabase,
  ObservedContents,
  ObservedDatabase,
} from './model';

/** `utf-8`, `UTF_8` and `UTF8` are one encoding to PostgreSQL. */
export function normalizeEncoding(name: string): string {
  return name.toUpperCase().replace(/[-_]/g, '');
}

export function emptyDatabasePlan(): DatabasePlan {
  return { create: [], alter: [], conflicts: [], retain: [], drop: [] };
}

function changesOf(want: DesiredDatabase, have: ObservedDatabase): DatabaseChanges {
  const changes: DatabaseChanges = {};
  if (want.owner !== undefined && want.owner !== have.owner) changes.owner = want.owner;
  if (want.connectionLimit !== have.connectionLimit) changes.connectionLimit = want.connectionLimit;
  if (want.allowConnections !== have.allowConnections) changes.allowConnections = want.allowConnections;
  return changes;
}

function conflictsOf(want: DesiredDatabase, have: ObservedDatabase): DatabasePlan['conflicts'] {
  const out: DatabasePlan['conflicts'] = [];
  if (want.encoding !== undefined && normalizeEncoding(want.encoding) !== normalizeEncoding(have.encoding))
    out.push({ database: want.name, field: 'encoding', want: want.encoding, have: have.encoding });
  for (const field of ['lcCollate', 'lcCtype'] as const) {
    const value = want[field];
    if (value !== undefined && value !== have[field])
      out.push({ database: want.name, field, want: value, have: have[field] });
  }
  return out;
}

export function planDatabases(
  desired: readonly DesiredDatabase[],
  observed: ReadonlyMap<string, ObservedDatabase>,
): DatabasePlan {
  const plan = emptyDatabasePlan();
  for (const want of desired) {
    const have = observed.get(want.name);
    if (want.ensure === 'absent' || want.departed) {
      if (want.reclaimPolicy !== 'delete') plan.retain.push(want.name);
      else if (have) plan.drop.push(want.name);
      continue;
    }
    if (!have) {
      plan.create.push(want);
      continue;
    }
    const changes = changesOf(want, have);
    if (Object.keys(changes).length > 0) plan.alter.push({ database: want.name, changes });
    plan.conflicts.push(...conflictsOf(want, have));
  }
  return plan;
}

/** Schemas and extensions inside one existing database. */
export function planContents(want: DesiredDatabase, have: ObservedContents): ContentsPlan {
  const plan: ContentsPlan = {
    database: want.name,
    createSchema: [],
    alterSchemaOwner: [],
    createExtension: [],
    updateExtension: [],
    moveExtension: [],
  };
  for (const schema of want.schemas) {
    const owner = schema.owner ?? want.owner;
    const current = have.schemas.get(schema.name);
    if (current === undefined) plan.createSchema.push({ name: schema.name, ...(owner ? { owner } : {}) });
    else if (owner !== undefined && owner !== current)
      plan.alterSchemaOwner.push({ schema: schema.name, owner });
  }
  for (const ext of want.extensions) {
    const current = have.extensions.get(ext.name);
    if (!current) {
      plan.createExtension.push(ext);
      continue;
    }
    if (ext.version !== undefined && ext.version !== current.version)
      plan.updateExtension.push({ extension: ext.name, version: ext.version });
    if (ext.schema !== undefined && ext.schema !== current.schema)
      plan.moveExtension.push({ extension: ext.name, schema: ext.schema });
  }
  return plan;
}

export function contentsPlanSize(plan: ContentsPlan): number {
  return (
    plan.createSchema.length +
    plan.alterSchemaOwner.length +
    plan.createExtension.length +
    plan.updateExtension.length +
    plan.moveExtension.length
  );
}
