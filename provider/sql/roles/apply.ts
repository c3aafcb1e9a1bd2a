/** Roles executor: runs a role plan's steps (passwords through the quiet transaction of ../password). */
import type { Connections } from '../connections';
import { runSteps, type RunOptions, type RunResult } from '../run';
import type { RolePlan } from './model';
import { roleDropSteps, roleSteps } from './statements';

/** Creates, alters, sets passwords, comments and memberships (not the drops). */
export function applyRoles(conns: Connections, plan: RolePlan, options: RunOptions): Promise<RunResult> {
  return runSteps(conns, roleSteps(plan), options);
}

/** Drops the roles that left the spec or are `ensure: absent`; run after databases and grants. */
export function applyRoleDrops(conns: Connections, plan: RolePlan, options: RunOptions): Promise<RunResult> {
  return runSteps(conns, roleDropSteps(plan), options);
}
