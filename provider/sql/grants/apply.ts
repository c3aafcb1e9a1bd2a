/** Grants executor: database grants in the maintenance database, the others inside their database. */
import type { Connections } from '../connections';
import { runSteps, type RunOptions, type RunResult } from '../run';
import type { GrantPlan } from './model';
import { grantSteps } from './statements';

export function applyGrants(conns: Connections, plan: GrantPlan, options: RunOptions): Promise<RunResult> {
  return runSteps(conns, grantSteps(plan), options);
}
