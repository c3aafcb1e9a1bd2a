/**
 * `pulumi up` completes only when the cluster is healthy: a leader and N-1 streaming replicas,
 * seen through Patroni's REST API (reached by port-forward or an explicit endpoint). Then the
 * bootstrap objects (application owner and database) are ensured. Closure-free dynamic resource:
 * the work happens in readiness-impl, loaded by path inside the dynamic-provider host.
 */
import * as pulumi from '@pulumi/pulumi';
import { PgclusterResource } from './resource-base';
import { TYPES } from '../naming';
import type { ClusterSpec } from '../spec/cluster';

const IMPL = require.resolve('./readiness-impl');

export interface ClusterReadyInputs {
  spec: pulumi.Input<ClusterSpec>;
  superuserPassword: pulumi.Input<string>;
  appPassword: pulumi.Input<string>;
  appVerifier: pulumi.Input<string>;
  /** With the pooler: its admin's password, so a switchover PAUSEs the PgBouncer pods around it. */
  poolerAdminPassword?: pulumi.Input<string>;
  /**
   * A replica cluster: its superuser's client certificate and key (the group CA's, CN
   * superuserCertName), which its pg_hba maps to the superuser: how the deployer logs in as it.
   */
  superuserCert?: pulumi.Input<{ cert: string; key: string }>;
  /** Under tls: the CA's PEM (SQL through the port-forwards verifies the members by it). */
  caCert?: pulumi.Input<string>;
  /** Under tls: the server certificate's SHA-256; a new one is reloaded once the pods see it. */
  tlsServerDigest?: pulumi.Input<string>;
  /** Kubeconfig for the port-forward; absent: the default kubeconfig. */
  kubeconfig?: pulumi.Input<string>;
  /**
   * With backup: each member's pgBackRest configuration digest. A change (a new key, a new member)
   * runs the check again, once every pod sees its new file.
   */
  backupConfigDigests?: pulumi.Input<Record<string, string>>;
  /** The pgBackRest Secret's resourceVersion: a Secret written since the last check is checked again. */
  backupSecretVersion?: pulumi.Input<string>;
}

export const readinessProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    const outs = await require(IMPL).waitReady(inputs);
    return {
      id: `${inputs.spec.platform.kubernetes.namespace}/${inputs.spec.name}`,
      outs: { ...inputs, ...outs },
    };
  },
  async update(_id, _olds, news) {
    const outs = await require(IMPL).waitReady(news);
    return { outs: { ...news, ...outs } };
  },
  async diff(_id, olds, news) {
    const changed =
      JSON.stringify(olds.spec) !== JSON.stringify(news.spec) ||
      JSON.stringify(olds.backupConfigDigests ?? null) !== JSON.stringify(news.backupConfigDigests ?? null) ||
      (olds.backupSecretVersion ?? null) !== (news.backupSecretVersion ?? null) ||
      (olds.caCert ?? null) !== (news.caCert ?? null) ||
      (olds.tlsServerDigest ?? null) !== (news.tlsServerDigest ?? null);
    return { changes: changed, replaces: [], deleteBeforeReplace: false };
  },
};

export class ClusterReady extends PgclusterResource {
  declare readonly primary: pulumi.Output<string>;
  declare readonly members: pulumi.Output<string[]>;

  constructor(name: string, inputs: ClusterReadyInputs, opts?: pulumi.CustomResourceOptions) {
    super(
      readinessProvider,
      name,
      { ...inputs, primary: undefined, members: undefined },
      {
        ...opts,
        additionalSecretOutputs: [
          'superuserPassword',
          'appPassword',
          'appVerifier',
          'poolerAdminPassword',
          'superuserCert',
          'kubeconfig',
        ],
      },
      TYPES.dynamicModule,
      TYPES.clusterReady,
    );
  }
}
