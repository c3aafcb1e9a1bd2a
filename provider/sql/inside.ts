/**
 * The second phase: what lives inside the databases. Database grants first (maintenance database),
 * then each database on one connection: observe its schemas, extensions and grants, apply the
 * schemas and extensions, observe the grants again if that changed anything (a new extension can
 * bring functions that "all functions in schema" covers), apply the grants. A few databases at a
 * time; statements are reported in database order whatever finishes first.
 */
import type { Connections } from './connections';
import { describeFailure, type SqlFailure } from './errors';
import type { DesiredSql } from './desired';
import type { DesiredDatabase, ObservedContents } from './databases/model';
import { observeContents } from './databases/observe';
import { planContents } from './databases/plan';
import { contentsSteps } from './databases/statements';
import { targetKey, type DesiredGrant, type ObservedGrant } from './grants/model';
import { observeGrants } from './grants/observe';
import { planGrants } from './grants/plan';
import { grantSteps } from './grants/statements';
import { mergeResults, runSteps, type RunOptions, type RunResult } from './run';
import type { Step } from './steps';

/** Present databases with schemas or extensions, by name. */
export function managedContents(desired: DesiredSql): Map<string, DesiredDatabase> {
  return new Map(
    desired.databases
      .filter(
        (d) => d.ensure === 'present' && !d.departed && (d.schemas.length > 0 || d.extensions.length > 0),
      )
      .map((d) => [d.name, d]),
  );
}

/** Databases phase two connects to, in a stable order. */
export function insideDatabases(desired: DesiredSql): string[] {
  const names = new Set(managedContents(desired).keys());
  for (const g of desired.grants) if (g.target.on !== 'database') names.add(g.target.database);
  return [...names].sort();
}

export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const databaseGrants = (desired: DesiredSql) => desired.grants.filter((g) => g.target.on === 'database');
const grantsIn = (desired: DesiredSql, database: string) =>
  desired.grants.filter((g) => g.target.on !== 'database' && g.target.database === database);

/** Database grants: observed and planned in the maintenance database. */
export async function databaseGrantSteps(conns: Connections, desired: DesiredSql): Promise<Step[]> {
  const wanted = databaseGrants(desired);
  if (wanted.length === 0) return [];
  const seen = await observeGrants(
    await conns.get(),
    wanted.map((g) => g.target),
  );
  return grantSteps(planGrants(wanted, seen));
}

interface InDatabase {
  contents?: ObservedContents;
  grants: Map<string, ObservedGrant>;
}

async function observeIn(
  conns: Connections,
  desired: DesiredSql,
  database: string,
  grantsOnly = false,
): Promise<InDatabase> {
  const client = await conns.get(database);
  const db = managedContents(desired).get(database);
  const contents =
    db && !grantsOnly
      ? await observeContents(
          client,
          db.schemas.map((s) => s.name),
          db.extensions.map((e) => e.name),
        )
      : undefined;
  const grants = await observeGrants(
    client,
    grantsIn(desired, database).map((g) => g.target),
  );
  return { ...(contents ? { contents } : {}), grants };
}

function contentsStepsIn(desired: DesiredSql, database: string, seen: InDatabase): Step[] {
  const db = managedContents(desired).get(database);
  return db
    ? contentsSteps(planContents(db, seen.contents ?? { schemas: new Map(), extensions: new Map() }))
    : [];
}

const grantStepsIn = (desired: DesiredSql, database: string, seen: InDatabase) =>
  grantSteps(planGrants(grantsIn(desired, database), seen.grants));

/** A database that cannot be reached: a failure, unless nothing was wanted there (it is gone, fine). */
function unreachable(desired: DesiredSql, database: string, error: unknown): SqlFailure[] {
  const db = managedContents(desired).has(database);
  const grants: DesiredGrant[] = grantsIn(desired, database);
  if (!db && !grants.some((g) => g.privileges.length > 0)) return [];
  const keys = [
    ...(db ? [`database:${database}`] : []),
    ...grants.map((g) => `grant:${targetKey(g.target)}`),
  ];
  return [describeFailure({ kind: 'connect', object: `database ${JSON.stringify(database)}`, keys }, error)];
}

/** Dry run: every database observed (a few at a time), its steps in the order an apply runs them. */
export async function planInside(
  conns: Connections,
  desired: DesiredSql,
  concurrency: number,
): Promise<{ steps: Step[]; failures: SqlFailure[] }> {
  const first = await databaseGrantSteps(conns, desired);
  const each = await mapLimit(insideDatabases(desired), concurrency, async (database) => {
    try {
      const seen = await conns.inside(database, (db) => observeIn(db, desired, database));
      return {
        steps: [...contentsStepsIn(desired, database, seen), ...grantStepsIn(desired, database, seen)],
        failures: [],
      };
    } catch (e) {
      return { steps: [], failures: unreachable(desired, database, e) };
    }
  });
  return { steps: [...first, ...each.flatMap((r) => r.steps)], failures: each.flatMap((r) => r.failures) };
}

async function applyIn(
  conns: Connections,
  desired: DesiredSql,
  database: string,
  run: RunOptions,
): Promise<RunResult> {
  let seen: InDatabase;
  try {
    seen = await observeIn(conns, desired, database);
  } catch (e) {
    return { executed: [], failures: unreachable(desired, database, e) };
  }
  const contents = await runSteps(conns, contentsStepsIn(desired, database, seen), run);
  if (contents.executed.length > 0) seen = await observeIn(conns, desired, database, true);
  const grants = await runSteps(conns, grantStepsIn(desired, database, seen), run);
  return mergeResults(contents, grants);
}

/** Applies phase two; `run.onStep` sees the statements in database order. */
export async function applyInside(
  conns: Connections,
  desired: DesiredSql,
  run: RunOptions,
  concurrency: number,
): Promise<RunResult> {
  const first = await runSteps(conns, await databaseGrantSteps(conns, desired), run);
  const databases = insideDatabases(desired);
  const done: Array<RunResult | undefined> = new Array(databases.length);
  let flushed = 0;
  const flush = () => {
    for (; flushed < done.length && done[flushed]; flushed++)
      done[flushed]?.executed.forEach((s) => run.onStep?.(s));
  };
  await mapLimit(databases, concurrency, async (database, i) => {
    done[i] = await conns.inside(database, (db) =>
      applyIn(db, desired, database, { ...run, onStep: undefined }),
    );
    flush();
  });
  return mergeResults(first, ...(done as RunResult[]));
}
