/**
 * The second phase: what lives inside the databases. Database grants first (maintenance database),
 * then each database on one connection: observe its schemas, extensions and grants, apply the
 * schemas and extensions, observe the grants again if that changed anything (a new extension can
 * bring functions that "all functions in schema" covers), apply the grants. A few databases at a
 * time; statements are reported in database order whatever finishes first. Databases unchanged
 * since their watermark (./watermarks) are skipped; an apply marks each database it leaves equal
 * to the spec, verified by observing it again after a mark when it ran statements there.
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
import { markDatabase } from './watermarks/observe';

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

/** Everything left to do in a database, in the order an apply runs it. */
const stepsIn = (desired: DesiredSql, database: string, seen: InDatabase) => [
  ...contentsStepsIn(desired, database, seen),
  ...grantStepsIn(desired, database, seen),
];

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
  skip: ReadonlySet<string> = new Set(),
): Promise<{ steps: Step[]; failures: SqlFailure[] }> {
  const first = await databaseGrantSteps(conns, desired);
  const databases = insideDatabases(desired).filter((d) => !skip.has(d));
  const each = await mapLimit(databases, concurrency, async (database) => {
    try {
      const seen = await conns.inside(database, (db) => observeIn(db, desired, database));
      return {
        steps: stepsIn(desired, database, seen),
        failures: [],
      };
    } catch (e) {
      return { steps: [], failures: unreachable(desired, database, e) };
    }
  });
  return { steps: [...first, ...each.flatMap((r) => r.steps)], failures: each.flatMap((r) => r.failures) };
}

type InsideResult = RunResult & { mark?: string };

/** The mark a database keeps: taken before an observation that found nothing left to do. */
async function verifiedMark(conns: Connections, desired: DesiredSql, database: string) {
  try {
    const mark = await markDatabase(await conns.get(database));
    const seen = await observeIn(conns, desired, database);
    return mark.busy || stepsIn(desired, database, seen).length > 0 ? undefined : mark.lsn;
  } catch {
    return undefined;
  }
}

async function applyIn(
  conns: Connections,
  desired: DesiredSql,
  database: string,
  run: RunOptions,
): Promise<InsideResult> {
  let seen: InDatabase;
  let mark: { lsn: string; busy: boolean };
  try {
    mark = await markDatabase(await conns.get(database));
    seen = await observeIn(conns, desired, database);
  } catch (e) {
    return { executed: [], failures: unreachable(desired, database, e) };
  }
  const contents = await runSteps(conns, contentsStepsIn(desired, database, seen), run);
  if (contents.executed.length > 0) seen = await observeIn(conns, desired, database, true);
  const grants = await runSteps(conns, grantStepsIn(desired, database, seen), run);
  const result = mergeResults(contents, grants);
  if (result.failures.length > 0) return result;
  const lsn =
    result.executed.length > 0
      ? await verifiedMark(conns, desired, database)
      : mark.busy
        ? undefined
        : mark.lsn;
  return lsn !== undefined ? { ...result, mark: lsn } : result;
}

/**
 * Applies phase two; `run.onStep` sees the statements in database order. `marks`: per database
 * left equal to the spec, the WAL position its watermark starts from.
 */
export async function applyInside(
  conns: Connections,
  desired: DesiredSql,
  run: RunOptions,
  concurrency: number,
  skip: ReadonlySet<string> = new Set(),
): Promise<RunResult & { marks: Map<string, string> }> {
  const first = await runSteps(conns, await databaseGrantSteps(conns, desired), run);
  const databases = insideDatabases(desired).filter((d) => !skip.has(d));
  const done: Array<InsideResult | undefined> = new Array(databases.length);
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
  const marks = new Map<string, string>();
  databases.forEach((database, i) => {
    const mark = done[i]?.mark;
    if (mark !== undefined) marks.set(database, mark);
  });
  return { ...mergeResults(first, ...(done as RunResult[])), marks };
}
