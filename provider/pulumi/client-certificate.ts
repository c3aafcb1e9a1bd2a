/**
 * `ClientCertificate`: a client certificate for certificate auth (`tls.clientAuth.users`), signed by
 * the cluster's CA, as `pgcluster certificate` issues. The private key is a Pulumi secret. Issued
 * again when the role, validity or trigger changes, and on the first update within 30 days of expiry.
 * Local platform (the CA lives in the state dir), or `kubernetes`: the CA Secret the cluster names is
 * read through the API server at issue time and its key never enters the Pulumi state. Closure-free
 * dynamic resource (client-certificate-impl, loaded by path inside the dynamic-provider host).
 */
import * as pulumi from '@pulumi/pulumi';
import { PgclusterResource } from './resource-base';
import { TYPES } from '../naming';
import { implProvider } from './impl-provider';

export const clientCertificateProvider = implProvider(require.resolve('./client-certificate-impl'));

export interface ClientCertificateArgs {
  /** The cluster whose CA signs it: a PostgresCluster's `name` (with `tls`). */
  cluster: pulumi.Input<string>;
  /** Where the local platform keeps it. @default - the default state dir (PGCLUSTER_STATE_DIR, ~/.pgcluster) */
  stateDir?: pulumi.Input<string>;
  /**
   * A cluster on Kubernetes: its namespace, and the kubeconfig (its text; a secret) and context to
   * reach it. The CA Secret (`<name>-ca`, or tls.ca.secret's) is read with it. Absent: local; not with stateDir.
   */
  kubernetes?: pulumi.Input<{
    namespace: pulumi.Input<string>;
    context?: pulumi.Input<string>;
    kubeconfig?: pulumi.Input<string>;
  }>;
  /** The role it logs in as (its CN). */
  user: pulumi.Input<string>;
  /** Validity in days. @default - 365 */
  days?: pulumi.Input<number>;
  /** Any value; a change issues a new certificate. */
  trigger?: pulumi.Input<string>;
}

export class ClientCertificate extends PgclusterResource {
  /** PEM certificate. */
  declare readonly certificate: pulumi.Output<string>;
  /** PEM (PKCS#8) private key: a secret. */
  declare readonly privateKey: pulumi.Output<string>;
  /** The cluster's CA certificate (sslrootcert). */
  declare readonly ca: pulumi.Output<string>;
  /** When it expires (ISO 8601). */
  declare readonly notAfter: pulumi.Output<string>;

  constructor(name: string, args: ClientCertificateArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      clientCertificateProvider,
      name,
      {
        stateDir: undefined,
        kubernetes: undefined,
        days: 365,
        trigger: undefined,
        ...args,
        certificate: undefined,
        privateKey: undefined,
        ca: undefined,
        notAfter: undefined,
      },
      { ...opts, additionalSecretOutputs: ['privateKey', 'kubernetes'] },
      TYPES.dynamicModule,
      TYPES.clientCertificate,
    );
  }
}
