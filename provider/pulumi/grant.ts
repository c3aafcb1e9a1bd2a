/**
 * `Grant`: the exact privileges of one role on one target (a database, a schema, every table,
 * sequence or function of a schema, or default privileges) as a Pulumi resource (a dynamic
 * resource). Deleting it revokes them. Usable on its own with a `connection`, and created by
 * `PostgresCluster` for each grants[] entry.
 */
import * as pulumi from '@pulumi/pulumi';
import { PgclusterResource } from './resource-base';
import { TYPES } from '../naming';
import { implProvider } from './impl-provider';
import type { GrantOn } from '../spec/grants';
import type { SqlConnectionInput } from './role';

export const grantProvider = implProvider(require.resolve('./grant-impl'));

export interface GrantArgs {
  connection: SqlConnectionInput;
  role: pulumi.Input<string>;
  database: pulumi.Input<string>;
  /** @default database */
  on?: pulumi.Input<GrantOn>;
  schema?: pulumi.Input<string>;
  /** Privileges in capitals, or ALL. Exact: others the role holds on the target are revoked. */
  privileges: pulumi.Input<pulumi.Input<string>[]>;
  withGrantOption?: pulumi.Input<boolean>;
  /** Default privileges for objects this role creates later. */
  createdBy?: pulumi.Input<string>;
}

export class Grant extends PgclusterResource {
  declare readonly privileges: pulumi.Output<string[]>;

  constructor(name: string, args: GrantArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      grantProvider,
      name,
      { ...args },
      { ...opts, additionalSecretOutputs: ['connection'] },
      TYPES.dynamicModule,
      TYPES.grant,
    );
  }
}
