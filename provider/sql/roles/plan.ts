/**
 * Roles: desired vs observed -> ordered action buckets. Pure: no `pg`, no I/O (like
 * CloudNativePG's evaluateNextRoleActions). Only the roles named in `desired` are looked at.
 */
import { fingerprintMatches } from '../../secrets/fingerprint';
import {
  ROLE_ATTRIBUTES,
  type DesiredRole,
  type ObservedRole,
  type RoleAttributes,
  type RolePlan,
} from './model';

export function emptyRolePlan(): RolePlan {
  return {
    create: [],
    alter: [],
    password: [],
    comment: [],
    revokeMembership: [],
    grantMembership: [],
    drop: [],
  };
}

/** The attributes that differ, with their desired values. */
export function attributeChanges(want: RoleAttributes, have: RoleAttributes): Partial<RoleAttributes> {
  const changes: Partial<RoleAttributes> = {};
  for (const key of ROLE_ATTRIBUTES) {
    if (want[key] !== have[key]) (changes as Record<string, unknown>)[key] = want[key];
  }
  return changes;
}

function planPresent(plan: RolePlan, want: DesiredRole, have: ObservedRole | undefined): void {
  const role = want.name;
  if (!have) {
    plan.create.push({ kind: 'create', role, attributes: want.attributes });
    if (want.password !== undefined) plan.password.push({ kind: 'password', role });
    if (want.comment !== null) plan.comment.push({ kind: 'comment', role, comment: want.comment });
    for (const parent of want.inRoles) plan.grantMembership.push({ kind: 'grant-membership', role, parent });
    return;
  }
  const changes = attributeChanges(want.attributes, have.attributes);
  if (Object.keys(changes).length > 0) plan.alter.push({ kind: 'alter', role, changes });
  if (want.password !== undefined && !fingerprintMatches(want.password, have.passwordHash))
    plan.password.push({ kind: 'password', role });
  if (want.comment !== have.comment) plan.comment.push({ kind: 'comment', role, comment: want.comment });
  for (const parent of have.inRoles) {
    if (!want.inRoles.includes(parent))
      plan.revokeMembership.push({ kind: 'revoke-membership', role, parent });
  }
  for (const parent of want.inRoles) {
    if (!have.inRoles.includes(parent)) plan.grantMembership.push({ kind: 'grant-membership', role, parent });
  }
}

export function planRoles(
  desired: readonly DesiredRole[],
  observed: ReadonlyMap<string, ObservedRole>,
): RolePlan {
  const plan = emptyRolePlan();
  for (const want of desired) {
    const have = observed.get(want.name);
    if (want.ensure === 'absent') {
      if (have) plan.drop.push({ kind: 'drop', role: want.name });
    } else planPresent(plan, want, have);
  }
  return plan;
}

export function rolePlanSize(plan: RolePlan): number {
  return Object.values(plan).reduce((n, bucket: unknown[]) => n + bucket.length, 0);
}
