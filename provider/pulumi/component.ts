/**
 * `PostgresCluster`: the Pulumi component (type token pgcluster:index:PostgresCluster).
 * Placeholder while the platforms are wired in; the public shape below is the contract.
 */
import * as pulumi from '@pulumi/pulumi';
import type { ClusterSpecInput } from '../spec/cluster';

export const POSTGRES_CLUSTER_TYPE = 'pgcluster:index:PostgresCluster';

/** The cluster spec, each value a pulumi.Input; `name` defaults to the Pulumi resource name. */
export type PostgresClusterArgs = { [K in keyof Omit<ClusterSpecInput, 'name'>]?: pulumi.Input<ClusterSpecInput[K]> } & {
  name?: pulumi.Input<string>;
};

export interface ClusterEndpointsOutput {
  rw: string;
  ro: string;
  r: string;
  pooler?: string;
}

export class PostgresCluster extends pulumi.ComponentResource {
  /** host:port of the read-write, read-only, any-member and pooler endpoints. */
  declare readonly endpoints: pulumi.Output<ClusterEndpointsOutput>;
  /** The member that is primary, as last observed. */
  declare readonly primary: pulumi.Output<string>;
  /** libpq URI of the application database through the rw endpoint (secret). */
  declare readonly connectionUri: pulumi.Output<string>;
  /** Kubernetes Secret holding the application credentials (kubernetes platform). */
  declare readonly appSecretName: pulumi.Output<string | undefined>;
  /** Kubernetes Secret holding the superuser credentials (kubernetes platform). */
  declare readonly superuserSecretName: pulumi.Output<string | undefined>;

  constructor(name: string, args: PostgresClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(POSTGRES_CLUSTER_TYPE, name, args, opts);
    this.registerOutputs({});
  }
}
