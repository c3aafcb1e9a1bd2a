/**
 * The Role resource's CRUD, run inside the dynamic-provider host. Inputs are a roles[] entry of the
 * cluster spec, with `password` the secret itself (not a reference) and a `connection`. read()
 * returns the role as the server has it, also as the inputs of the next diff, so `pulumi refresh`
 * shows a role altered by hand and the next `pulumi up` puts it back. The password is never read
 * back: the state keeps a salted hash of the one set (secret), and a new password is a change.
 */
import type * as pulumi from '@pulumi/pulumi';
import type { RoleSpec } from '../spec/roles';
import { desiredRole, validUntilMs } from '../sql/desired';
import { ROLE_ATTRIBUTES, type ObservedRole } from '../sql/roles/model';
import { observeRoles } from '../sql/roles/observe';
import { fingerprintMatches } from '../secrets/fingerprint';
import { withConnections } from '../sql/connections';
import { withPrimary, type SqlConnection } from '../sql/target';
import { applyOne, checkSpecInputs, diffResult, GONE } from './sql-impl';

export type RoleProps = Omit<RoleSpec, 'password'> & {
  connection: SqlConnection;
  password?: string;
  /** Salted hash of the password set (output). */
  passwordHash?: string;
};

/** A placeholder reference: the spec's rules check that a password is given, never its value. */
const PASSWORD_REF = { fromEnv: 'PGCLUSTER_PASSWORD' };

export async function check(_olds: Partial<RoleProps>, news: RoleProps): Promise<pulumi.dynamic.CheckResult> {
  const password = news.password;
  return checkSpecInputs<RoleSpec>(
    'roles',
    news,
    ({ password: _p, passwordHash: _h, ...entry }) => ({
      ...entry,
      ...(password !== undefined ? { password: PASSWORD_REF } : {}),
    }),
    ({ password: _ref, ...role }) => ({ ...role, ...(password !== undefined ? { password } : {}) }),
  );
}

function desired(props: RoleProps) {
  const { connection: _c, password, passwordHash: _h, ...role } = props;
  return desiredRole(
    { ...role, ...(password !== undefined ? { password: PASSWORD_REF } : {}) } as RoleSpec,
    new Map(password !== undefined ? [[props.name, password]] : []),
  );
}

/** The inputs that differ between the last state and the new inputs, by name (pure). */
export function roleChanges(olds: RoleProps, news: RoleProps): string[] {
  const out: string[] = [];
  if ((olds.ensure ?? 'present') !== (news.ensure ?? 'present')) out.push('ensure');
  const a = desired({ ...olds, password: undefined });
  const b = desired({ ...news, password: undefined });
  for (const key of ROLE_ATTRIBUTES) if (a.attributes[key] !== b.attributes[key]) out.push(key);
  if ([...a.inRoles].sort().join('\0') !== [...b.inRoles].sort().join('\0')) out.push('inRoles');
  if (a.comment !== b.comment) out.push('comment');
  if (news.password !== undefined && !fingerprintMatches(news.password, olds.passwordHash))
    out.push('password');
  return out;
}

export async function diff(
  _id: string,
  olds: RoleProps,
  news: RoleProps,
): Promise<pulumi.dynamic.DiffResult> {
  return diffResult(olds.name !== news.name ? ['name'] : [], roleChanges(olds, news));
}

async function apply(props: RoleProps, passwordHash?: string): Promise<RoleProps> {
  const result = await applyOne(
    props.connection,
    { roles: [desired(props)] },
    { roles: { [props.name]: passwordHash !== undefined ? { passwordHash } : {} } },
  );
  const hash = result.managed.roles[props.name]?.passwordHash;
  const { passwordHash: _old, ...rest } = props;
  return { ...rest, ...(hash !== undefined && props.password !== undefined ? { passwordHash: hash } : {}) };
}

export async function create(inputs: RoleProps): Promise<pulumi.dynamic.CreateResult> {
  return { id: inputs.name, outs: await apply(inputs) };
}

export async function update(
  _id: string,
  olds: RoleProps,
  news: RoleProps,
): Promise<pulumi.dynamic.UpdateResult> {
  return { outs: await apply(news, olds.passwordHash) };
}

/** The declared role with what the server has; declared spellings kept where they mean the same. */
export function observedProps(props: RoleProps, have: ObservedRole): RoleProps {
  const want = desired({ ...props, password: undefined });
  const sameRoles = [...want.inRoles].sort().join('\0') === [...have.inRoles].sort().join('\0');
  const validUntil =
    validUntilMs(props.validUntil) === have.attributes.validUntil
      ? props.validUntil
      : have.attributes.validUntil === null
        ? undefined
        : new Date(have.attributes.validUntil).toISOString();
  const { validUntil: _v, comment: _c, ...rest } = props;
  return {
    ...rest,
    ensure: 'present',
    login: have.attributes.login,
    superuser: have.attributes.superuser,
    createdb: have.attributes.createdb,
    createrole: have.attributes.createrole,
    inherit: have.attributes.inherit,
    replication: have.attributes.replication,
    bypassrls: have.attributes.bypassrls,
    connectionLimit: have.attributes.connectionLimit,
    ...(validUntil !== undefined ? { validUntil } : {}),
    inRoles: sameRoles ? props.inRoles : have.inRoles,
    ...(have.comment !== null ? { comment: have.comment } : {}),
  };
}

export async function read(id: string, props: RoleProps): Promise<pulumi.dynamic.ReadResult> {
  const have = await withPrimary(props.connection, (config) =>
    withConnections(config, async (conns) =>
      (await observeRoles(await conns.get(), [props.name])).get(props.name),
    ),
  );
  if (!have) return props.ensure === 'absent' ? { id, props, inputs: withoutOutputs(props) } : GONE;
  const observed = observedProps(props, have);
  return { id, props: observed, inputs: withoutOutputs(observed) };
}

function withoutOutputs(props: RoleProps): RoleProps {
  const { passwordHash: _h, ...inputs } = props;
  return inputs;
}

/** Drops the role (an absent one is already gone); a role that owns objects fails with the hint. */
export async function remove(_id: string, props: RoleProps): Promise<void> {
  if (props.ensure === 'absent') return;
  await applyOne(props.connection, {}, { roles: { [props.name]: {} } });
}
