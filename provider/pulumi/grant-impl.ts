/**
 * The Grant resource's CRUD, run inside the dynamic-provider host. Inputs are a grants[] entry of
 * the cluster spec (one role on one target, exact privileges) and a `connection`. Deleting it
 * revokes what it granted; another target (role, database, kind, schema, creator) is a
 * replacement. read() returns the privileges the role holds on every object of the target (and any
 * extra one it holds anywhere), so a grant or revoke by hand shows in `pulumi refresh`.
 */
import type * as pulumi from '@pulumi/pulumi';
import type { GrantSpec } from '../spec/grants';
import { desiredGrant } from '../sql/desired';
import type { ObservedGrant } from '../sql/grants/model';
import { targetKey } from '../sql/grants/model';
import { observeGrants } from '../sql/grants/observe';
import { canonicalPrivileges } from '../sql/grants/plan';
import { withConnections } from '../sql/connections';
import { withPrimary, type SqlConnection } from '../sql/target';
import { applyOne, checkSpecInputs, diffResult, GONE } from './sql-impl';

export type GrantProps = GrantSpec & { connection: SqlConnection };

const TARGET_FIELDS = ['role', 'database', 'on', 'schema', 'createdBy'] as const;

export async function check(
  _olds: Partial<GrantProps>,
  news: GrantProps,
): Promise<pulumi.dynamic.CheckResult> {
  return checkSpecInputs<GrantSpec>('grants', news);
}

const strip = ({ connection: _c, ...entry }: GrantProps): GrantSpec => entry;

/** The inputs that differ, by name (pure): privileges compared as the set they mean (ALL expanded). */
export function grantChanges(olds: GrantProps, news: GrantProps): string[] {
  const a = desiredGrant(strip(olds));
  const b = desiredGrant(strip(news));
  const out: string[] = [];
  if (a.privileges.join() !== b.privileges.join()) out.push('privileges');
  if (a.withGrantOption !== b.withGrantOption) out.push('withGrantOption');
  return out;
}

export async function diff(
  _id: string,
  olds: GrantProps,
  news: GrantProps,
): Promise<pulumi.dynamic.DiffResult> {
  const replaces = TARGET_FIELDS.filter((f) => (olds[f] ?? null) !== (news[f] ?? null));
  return diffResult(replaces, grantChanges(olds, news));
}

async function apply(props: GrantProps): Promise<GrantProps> {
  await applyOne(props.connection, { grants: [desiredGrant(strip(props))] });
  return props;
}

export async function create(inputs: GrantProps): Promise<pulumi.dynamic.CreateResult> {
  return { id: targetKey(desiredGrant(strip(inputs)).target), outs: await apply(inputs) };
}

export async function update(
  _id: string,
  _olds: GrantProps,
  news: GrantProps,
): Promise<pulumi.dynamic.UpdateResult> {
  return { outs: await apply(news) };
}

/**
 * What the role holds, in the entry's terms (pure): a privilege it holds on every object, or one the
 * entry does not list that it holds on any; WITH GRANT OPTION likewise. Nothing to manage (the role
 * owns the target, or there is no object of the kind): the declared values.
 */
export function observedGrantProps(props: GrantProps, have: ObservedGrant | undefined): GrantProps {
  const want = desiredGrant(strip(props));
  if (have?.objects === 0) return props;
  const objects = have?.objects ?? 1;
  const count = (m: Record<string, number> | undefined, p: string) => m?.[p] ?? 0;
  const held = canonicalPrivileges(props.on, [...Object.keys(have?.has ?? {})]).filter((p) =>
    want.privileges.includes(p) ? count(have?.has, p) >= objects : count(have?.has, p) > 0,
  );
  const grantable = want.withGrantOption
    ? want.privileges.length > 0 && want.privileges.every((p) => count(have?.grantable, p) >= objects)
    : Object.values(have?.grantable ?? {}).some((n) => n > 0);
  const same = held.join() === want.privileges.join();
  return {
    ...props,
    privileges: (same ? props.privileges : held) as GrantProps['privileges'],
    withGrantOption: grantable,
  };
}

export async function read(id: string, props: GrantProps): Promise<pulumi.dynamic.ReadResult> {
  const target = desiredGrant(strip(props)).target;
  const seen = await withPrimary(props.connection, (config) =>
    withConnections(config, async (conns) => {
      const client = props.on === 'database' ? await conns.get() : await conns.get(props.database);
      return (await observeGrants(client, [target])).get(targetKey(target));
    }),
  ).catch((e: { code?: string }) => {
    if (e.code === '3D000') return 'no database' as const; // the database is gone: so is the grant
    throw e;
  });
  if (seen === 'no database') return GONE;
  const observed = observedGrantProps(props, seen);
  return { id, props: observed, inputs: observed };
}

/** Revokes what the entry granted (its privileges and grant option on the target). */
export async function remove(_id: string, props: GrantProps): Promise<void> {
  await applyOne(props.connection, {}, { grants: [desiredGrant(strip(props)).target] });
}
