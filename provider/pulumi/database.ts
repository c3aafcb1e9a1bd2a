/**
 * `Database`: one PostgreSQL database, with its schemas and extensions, as a Pulumi resource (a
 * dynamic resource). Deleting it drops the database only with `reclaimPolicy: delete`. Usable on
 * its own with a `connection`, and created by `PostgresCluster` for each databases[] entry.
 */
import * as pulumi from '@pulumi/pulumi';
import { PgclusterResource } from './resource-base';
import { TYPES } from '../naming';
import { implProvider } from './impl-provider';
import type { SqlConnectionInput } from './role';

export const databaseProvider = implProvider(require.resolve('./database-impl'));

export interface DatabaseArgs {
  connection: SqlConnectionInput;
  name: pulumi.Input<string>;
  ensure?: pulumi.Input<'present' | 'absent'>;
  /** `retain` (default): deleting the resource keeps the database and its data; `delete` drops it. */
  reclaimPolicy?: pulumi.Input<'retain' | 'delete'>;
  owner?: pulumi.Input<string>;
  encoding?: pulumi.Input<string>;
  locale?: pulumi.Input<string>;
  lcCollate?: pulumi.Input<string>;
  lcCtype?: pulumi.Input<string>;
  template?: pulumi.Input<string>;
  connectionLimit?: pulumi.Input<number>;
  allowConnections?: pulumi.Input<boolean>;
  schemas?: pulumi.Input<pulumi.Input<{ name: pulumi.Input<string>; owner?: pulumi.Input<string> }>[]>;
  extensions?: pulumi.Input<
    pulumi.Input<{
      name: pulumi.Input<string>;
      version?: pulumi.Input<string>;
      schema?: pulumi.Input<string>;
    }>[]
  >;
}

export class Database extends PgclusterResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly owner: pulumi.Output<string | undefined>;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      databaseProvider,
      name,
      { ...args },
      { ...opts, additionalSecretOutputs: ['connection'] },
      TYPES.dynamicModule,
      TYPES.database,
    );
  }
}
