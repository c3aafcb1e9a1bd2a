/**
 * `Role`: one PostgreSQL role as a Pulumi resource (a dynamic resource: no plugin to install).
 * Usable on its own with a `connection` to any PostgreSQL server, and created by `PostgresCluster`
 * for each roles[] entry. Closure-free: the work is in role-impl, loaded by path in the host.
 */
import * as pulumi from '@pulumi/pulumi';
import { PgclusterResource } from './resource-base';
import { TYPES } from '../naming';
import { implProvider } from './impl-provider';
import type { SqlConnection } from '../sql/target';

export const roleProvider = implProvider(require.resolve('./role-impl'));

/** Where the SQL runs: the primary, with credentials that may create roles (a secret). */
export type SqlConnectionInput = pulumi.Input<{
  [K in keyof SqlConnection]: pulumi.Input<SqlConnection[K]>;
}>;

export interface RoleArgs {
  connection: SqlConnectionInput;
  /** Role name (quoted: case, spaces and unicode are kept). A new name replaces the role. */
  name: pulumi.Input<string>;
  /** `absent`: the role is dropped if it exists. @default present */
  ensure?: pulumi.Input<'present' | 'absent'>;
  login?: pulumi.Input<boolean>;
  superuser?: pulumi.Input<boolean>;
  createdb?: pulumi.Input<boolean>;
  createrole?: pulumi.Input<boolean>;
  inherit?: pulumi.Input<boolean>;
  replication?: pulumi.Input<boolean>;
  bypassrls?: pulumi.Input<boolean>;
  /** -1: no limit. */
  connectionLimit?: pulumi.Input<number>;
  /** ISO 8601 timestamp with a time zone, or `infinity`. */
  validUntil?: pulumi.Input<string>;
  /** The password (kept as a secret; the server gets its SCRAM verifier). Absent: not managed. */
  password?: pulumi.Input<string>;
  /** Exactly these memberships. */
  inRoles?: pulumi.Input<pulumi.Input<string>[]>;
  comment?: pulumi.Input<string>;
}

export class Role extends PgclusterResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly login: pulumi.Output<boolean>;
  declare readonly inRoles: pulumi.Output<string[]>;

  constructor(name: string, args: RoleArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      roleProvider,
      name,
      { ...args, passwordHash: undefined },
      { ...opts, additionalSecretOutputs: ['connection', 'password', 'passwordHash'] },
      TYPES.dynamicModule,
      TYPES.role,
    );
  }
}
