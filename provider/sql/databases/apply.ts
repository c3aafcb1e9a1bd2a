/** Databases executor: CREATE/ALTER/DROP DATABASE alone, schemas and extensions inside the database. */
import type { Connections } from '../connections';
import { runSteps, type RunOptions, type RunResult } from '../run';
import type { ContentsPlan, DatabasePlan } from './model';
import { contentsSteps, databaseDropSteps, databaseSteps } from './statements';

export function applyDatabases(
  conns: Connections,
  plan: DatabasePlan,
  options: RunOptions,
): Promise<RunResult> {
  return runSteps(conns, databaseSteps(plan), options);
}

export function applyContents(
  conns: Connections,
  plan: ContentsPlan,
  options: RunOptions,
): Promise<RunResult> {
  return runSteps(conns, contentsSteps(plan), options);
}

/** Drops databases (reclaimPolicy delete): our own session to each is closed first. */
export async function applyDatabaseDrops(
  conns: Connections,
  plan: DatabasePlan,
  options: RunOptions,
): Promise<RunResult> {
  for (const name of plan.drop) await conns.release(name);
  return runSteps(conns, databaseDropSteps(plan), options);
}
