/**
 * The local platform as a dynamic resource: create = `pgcluster up`, update = reconcile (with a
 * precise diff: which fields change, which parameters restart PostgreSQL), delete = `destroy`,
 * read = observed status for `pulumi refresh`. Closure-free: the provider only captures the path
 * of local-impl, which the dynamic-provider host loads.
 */
import * as pulumi from '@pulumi/pulumi';
import { PgclusterResource } from './resource-base';
import { TYPES } from '../naming';
import { implProvider } from './impl-provider';
import type { ClusterSpec } from '../spec/cluster';
import type { SqlConnection } from '../sql/target';
import type { PoolerUser } from '../sql/pooler-users';
import type { ProvisionInputs } from '../platform/types';

export const localProvider = implProvider(require.resolve('./local-impl'));

export interface LocalClusterInputs {
  stateDir: pulumi.Input<string>;
  spec: pulumi.Input<ClusterSpec>;
  /** Managed login roles the pooler admits, with the verifiers their Role resources set (secret). */
  poolerUsers?: pulumi.Input<PoolerUser[]>;
  /** The backup secrets the spec's references name, read by the program, and where its relative paths start (secret). */
  backupInputs?: pulumi.Input<ProvisionInputs>;
}

export class LocalCluster extends PgclusterResource {
  declare readonly primary: pulumi.Output<string>;
  declare readonly endpoints: pulumi.Output<{ rw: string; ro: string; r: string; pooler?: string }>;
  declare readonly connectionUri: pulumi.Output<string>;
  /** The superuser's connection to the primary (endpoints tried for the read-write one); secret. */
  declare readonly adminConnection: pulumi.Output<SqlConnection>;
  declare readonly members: pulumi.Output<Array<{ name: string; role: string; state: string }>>;
  /** Parameters of the pending change that restart PostgreSQL (shown by `pulumi preview --diff`). */
  declare readonly restartRequired: pulumi.Output<string[]>;

  constructor(name: string, inputs: LocalClusterInputs, opts?: pulumi.CustomResourceOptions) {
    super(
      localProvider,
      name,
      {
        ...inputs,
        primary: undefined,
        endpoints: undefined,
        connectionUri: undefined,
        adminConnection: undefined,
        members: undefined,
      },
      {
        ...opts,
        additionalSecretOutputs: ['connectionUri', 'adminConnection', 'poolerUsers', 'backupInputs'],
      },
      TYPES.dynamicModule,
      TYPES.localCluster,
    );
  }
}
