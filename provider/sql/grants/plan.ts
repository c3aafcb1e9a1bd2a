/**
 * Grants: desired vs observed -> revoke / revoke grant option / grant buckets. Pure. Exact per
 * target: privileges not listed are revoked, listed ones granted wherever one object lacks them.
 */
import { PRIVILEGES_ON } from '../../spec/grants';
import { targetKey, type DesiredGrant, type GrantPlan, type ObservedGrant } from './model';

/** ALL expanded, duplicates removed, in PostgreSQL's order for the target kind. */
export function canonicalPrivileges(on: keyof typeof PRIVILEGES_ON, privileges: readonly string[]): string[] {
  const universe = PRIVILEGES_ON[on];
  if (privileges.includes('ALL')) return [...universe];
  return universe.filter((p) => privileges.includes(p));
}

export function emptyGrantPlan(): GrantPlan {
  return { revoke: [], revokeGrantOption: [], grant: [] };
}

/** What to do for one target; `have` absent: nothing observed (the role holds nothing there). */
export function planGrant(plan: GrantPlan, want: DesiredGrant, have: ObservedGrant | undefined): void {
  const { target } = want;
  if (have?.objects === 0) return; // the role owns it (or there is nothing of the kind): nothing to manage
  const objects = have ? have.objects : 1;
  const has = (p: string) => have?.has[p] ?? 0;
  const grantable = (p: string) => have?.grantable[p] ?? 0;
  const extra = PRIVILEGES_ON[target.on].filter((p) => !want.privileges.includes(p) && has(p) > 0);
  if (extra.length > 0) plan.revoke.push({ target, privileges: extra });
  if (!want.withGrantOption) {
    const options = want.privileges.filter((p) => grantable(p) > 0);
    if (options.length > 0) plan.revokeGrantOption.push({ target, privileges: options });
  }
  const missing = want.privileges.filter(
    (p) => has(p) < objects || (want.withGrantOption && grantable(p) < objects),
  );
  if (missing.length > 0)
    plan.grant.push({ target, privileges: missing, withGrantOption: want.withGrantOption });
}

export function planGrants(
  desired: readonly DesiredGrant[],
  observed: ReadonlyMap<string, ObservedGrant>,
): GrantPlan {
  const plan = emptyGrantPlan();
  for (const want of desired) planGrant(plan, want, observed.get(targetKey(want.target)));
  return plan;
}

export function grantPlanSize(plan: GrantPlan): number {
  return plan.revoke.length + plan.revokeGrantOption.length + plan.grant.length;
}
