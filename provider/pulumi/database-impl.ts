/**
 * The Database resource's CRUD, run inside the dynamic-provider host. Inputs are a databases[]
 * entry of the cluster spec and a `connection`. Deleting the resource drops the database only with
 * `reclaimPolicy: delete`; with `retain` (the default) it stays, with its data. A new name is a
 * replacement, which under `retain` creates the new database and keeps the old one. read() returns
 * the database as the server has it (what is declared of it), so `pulumi refresh` shows drift.
 */
import type * as pulumi from '@pulumi/pulumi';
import type { DatabaseSpec } from '../spec/databases';
import { desiredDatabase } from '../sql/desired';
import type { ObservedContents, ObservedDatabase } from '../sql/databases/model';
import { observeContents, observeDatabases } from '../sql/databases/observe';
import { withConnections } from '../sql/connections';
import { withPrimary, type SqlConnection } from '../sql/target';
import { applyOne, changedFields, checkSpecInputs, diffResult, GONE } from './sql-impl';

export type DatabaseProps = DatabaseSpec & { connection: SqlConnection };

/** Inputs compared by diff (name is a replacement). */
export const DATABASE_FIELDS = [
  'ensure',
  'reclaimPolicy',
  'owner',
  'encoding',
  'locale',
  'lcCollate',
  'lcCtype',
  'template',
  'connectionLimit',
  'allowConnections',
  'schemas',
  'extensions',
] as const;

export async function check(
  _olds: Partial<DatabaseProps>,
  news: DatabaseProps,
): Promise<pulumi.dynamic.CheckResult> {
  return checkSpecInputs<DatabaseSpec>('databases', news);
}

const sortedBy = <T extends { name: string }>(list: readonly T[] | undefined) =>
  [...(list ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** The inputs that differ, by name (pure); schemas and extensions compared as sets. */
export function databaseChanges(olds: DatabaseProps, news: DatabaseProps): string[] {
  const norm = (p: DatabaseProps) => ({
    ...p,
    ensure: p.ensure ?? 'present',
    reclaimPolicy: p.reclaimPolicy ?? 'retain',
    schemas: sortedBy(p.schemas),
    extensions: sortedBy(p.extensions),
  });
  return changedFields(norm(olds), norm(news), DATABASE_FIELDS);
}

export async function diff(
  _id: string,
  olds: DatabaseProps,
  news: DatabaseProps,
): Promise<pulumi.dynamic.DiffResult> {
  return diffResult(olds.name !== news.name ? ['name'] : [], databaseChanges(olds, news));
}

const strip = ({ connection: _c, ...entry }: DatabaseProps): DatabaseSpec => entry;

async function apply(
  props: DatabaseProps,
  previousPolicy?: DatabaseSpec['reclaimPolicy'],
): Promise<DatabaseProps> {
  await applyOne(
    props.connection,
    { databases: [desiredDatabase(strip(props))] },
    previousPolicy ? { databases: { [props.name]: { reclaimPolicy: previousPolicy } } } : {},
  );
  return props;
}

export async function create(inputs: DatabaseProps): Promise<pulumi.dynamic.CreateResult> {
  return { id: inputs.name, outs: await apply(inputs) };
}

export async function update(
  _id: string,
  olds: DatabaseProps,
  news: DatabaseProps,
): Promise<pulumi.dynamic.UpdateResult> {
  return { outs: await apply(news, olds.reclaimPolicy) };
}

/** The declared database with what the server has (pure). */
export function observedDatabaseProps(
  props: DatabaseProps,
  have: ObservedDatabase,
  contents: ObservedContents | undefined,
): DatabaseProps {
  const keep = <K extends 'encoding' | 'lcCollate' | 'lcCtype'>(key: K) =>
    props[key] === undefined ? {} : { [key]: have[key] };
  const locale =
    props.locale === undefined
      ? {}
      : { locale: have.lcCollate === have.lcCtype ? have.lcCollate : `${have.lcCollate}/${have.lcCtype}` };
  return {
    ...props,
    ensure: 'present',
    ...(props.owner !== undefined ? { owner: have.owner } : {}),
    ...keep('encoding'),
    ...keep('lcCollate'),
    ...keep('lcCtype'),
    ...locale,
    connectionLimit: have.connectionLimit,
    allowConnections: have.allowConnections,
    // Contents are only seen when the database accepts connections; otherwise kept as declared.
    schemas: contents
      ? props.schemas
          .filter((s) => contents.schemas.has(s.name))
          .map((s) => (s.owner !== undefined ? { ...s, owner: contents.schemas.get(s.name)! } : s))
      : props.schemas,
    extensions: contents
      ? props.extensions
          .filter((e) => contents.extensions.has(e.name))
          .map((e) => {
            const seen = contents.extensions.get(e.name)!;
            return {
              ...e,
              ...(e.version !== undefined ? { version: seen.version } : {}),
              ...(e.schema !== undefined ? { schema: seen.schema } : {}),
            };
          })
      : props.extensions,
  };
}

export async function read(id: string, props: DatabaseProps): Promise<pulumi.dynamic.ReadResult> {
  const seen = await withPrimary(props.connection, (config) =>
    withConnections(config, async (conns) => {
      const have = (await observeDatabases(await conns.get(), [props.name])).get(props.name);
      if (!have) return undefined;
      const wantsContents = props.schemas.length > 0 || props.extensions.length > 0;
      const contents =
        have.allowConnections && wantsContents
          ? await conns.inside(props.name, async (db) =>
              observeContents(
                await db.get(),
                props.schemas.map((s) => s.name),
                props.extensions.map((e) => e.name),
              ),
            )
          : undefined;
      return { have, contents };
    }),
  );
  if (!seen) return props.ensure === 'absent' ? { id, props, inputs: props } : GONE;
  const observed = observedDatabaseProps(props, seen.have, seen.contents);
  return { id, props: observed, inputs: observed };
}

/** Drops the database with reclaimPolicy delete; keeps it (and its data) with retain. */
export async function remove(_id: string, props: DatabaseProps): Promise<void> {
  if (props.ensure === 'absent' || props.reclaimPolicy !== 'delete') return;
  await applyOne(props.connection, {}, { databases: { [props.name]: { reclaimPolicy: 'delete' } } });
}
