/**
 * What the Role, Database and Grant dynamic resources share, run inside the dynamic-provider host:
 * validating one entry with the cluster spec's own schemas and rules (so a resource and a spec
 * entry accept exactly the same values, with the same messages), and applying one object with the
 * same reconciler `pgcluster up` uses. Failures become one error listing every failed action.
 */
import type * as pulumi from '@pulumi/pulumi';
import { parseSpec } from '../spec/parse';
import { SpecError } from '../spec/errors';
import type { DesiredSql } from '../sql/desired';
import { formatFailure } from '../sql/errors';
import { emptyManaged, type ManagedSql } from '../sql/managed';
import { reconcileSql, type ReconcileResult } from '../sql/reconcile';
import { connectionIssue, withPrimary, type SqlConnection } from '../sql/target';

/** The inputs without the serialized provider the dynamic-provider host adds to every resource. */
export function withoutProvider<T extends object>(props: T): T {
  const { __provider: _p, ...rest } = props as T & { __provider?: unknown };
  return rest as T;
}

/** The value the engine sends for a value not known yet (a preview before the cluster exists). */
export const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === 'object') return Object.values(value).some(containsUnknown);
  return false;
}

/**
 * A cluster spec around the one entry: every rule of the spec applies (names, reserved names,
 * references). Its bootstrap owner and database are names no one would declare.
 */
const STANDALONE = {
  name: 'standalone',
  bootstrap: { initdb: { owner: 'pgcluster standalone owner', database: 'pgcluster standalone' } },
};

type Key = 'roles' | 'databases' | 'grants';

/** The entry with its defaults, or the failures with paths relative to the resource's inputs. */
export function checkEntry<T>(
  key: Key,
  entry: Record<string, unknown>,
): { value: T; failures: [] } | { value?: undefined; failures: pulumi.dynamic.CheckFailure[] } {
  try {
    const spec = parseSpec({ ...STANDALONE, [key]: [entry] });
    return { value: spec[key][0] as T, failures: [] };
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    const prefix = `${key}[0]`;
    return {
      failures: e.issues.map((i) => {
        const path = i.path.startsWith(prefix) ? i.path.slice(prefix.length).replace(/^\./, '') : i.path;
        return { property: path || key, reason: `${path || key}: ${i.message}` };
      }),
    };
  }
}

/** Failures of the connection input (skipped while it is unknown, in a preview). */
function checkConnection(connection: unknown): pulumi.dynamic.CheckFailure[] {
  if (containsUnknown(connection)) return [];
  const issue = connectionIssue(connection as Partial<SqlConnection> | undefined);
  return issue ? [{ property: 'connection', reason: issue }] : [];
}

/**
 * check() of the three resources: the connection, and the rest of the inputs as one `key` entry of
 * a spec (skipped while part of it is unknown, in a preview). `entry` adapts the inputs to the spec
 * entry, `inputs` the entry with its defaults back to the inputs.
 */
export function checkSpecInputs<E>(
  key: Key,
  news: Record<string, unknown>,
  entry: (rest: Record<string, unknown>) => Record<string, unknown> = (rest) => rest,
  inputs: (value: E) => object = (value) => value as object,
): pulumi.dynamic.CheckResult {
  const { connection, ...rest } = withoutProvider(news);
  const failures = checkConnection(connection);
  if (containsUnknown(rest)) return failures.length > 0 ? { failures } : { inputs: news };
  const checked = checkEntry<E>(key, entry(rest));
  if (checked.failures.length > 0 || failures.length > 0)
    return { failures: [...failures, ...checked.failures] };
  return { inputs: { ...inputs(checked.value as E), connection } };
}

/** diff() of the three resources: a replacement, an update, or nothing. */
export function diffResult(replaces: string[], changes: readonly string[]): pulumi.dynamic.DiffResult {
  if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: false };
  return changes.length > 0
    ? { changes: true, replaces: [], deleteBeforeReplace: false }
    : { changes: false };
}

export class SqlApplyError extends Error {}

/** Applies `desired` (one object) given what was managed before; throws on any failure. */
export async function applyOne(
  connection: SqlConnection,
  desired: Partial<DesiredSql>,
  previous: Partial<ManagedSql> = {},
): Promise<ReconcileResult> {
  const result = await withPrimary(connection, (config) =>
    reconcileSql(
      config,
      { roles: [], databases: [], grants: [], ...desired },
      { ...emptyManaged(), ...previous },
    ),
  );
  if (result.failures.length > 0)
    throw new SqlApplyError(result.failures.map((f) => formatFailure(f)).join('\n'));
  return result;
}

/** Names of the top-level fields whose JSON differs: what a diff lists. */
export function changedFields(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  fields: readonly string[],
): string[] {
  return fields.filter((f) => JSON.stringify(olds[f] ?? null) !== JSON.stringify(news[f] ?? null));
}

/** What read() returns when the object is gone: the engine drops it from the state. */
export const GONE: pulumi.dynamic.ReadResult = { id: undefined, props: {} };
