/**
 * `ClusterCertificates`: a CA of the cluster's own and a server and a client certificate it signs,
 * generated once and kept in the Pulumi state (the private keys as secrets). A later `up` issues new
 * ones when the names change or when one expires within RENEW_BEFORE_DAYS days; the consumers reload
 * them (the pgBackRest servers on a change of the mounted Secret). Closure-free dynamic resource
 * (certificates-impl, loaded by path inside the dynamic-provider host).
 */
import * as pulumi from '@pulumi/pulumi';
import { PgclusterResource } from './resource-base';
import { TYPES } from '../naming';
import { implProvider } from './impl-provider';

export const certificatesProvider = implProvider(require.resolve('./certificates-impl'));

export interface ClusterCertificatesArgs {
  /** The CA's common name. */
  caName: pulumi.Input<string>;
  server: pulumi.Input<{ commonName: string; dnsNames: string[]; ipAddresses?: string[] }>;
  client: pulumi.Input<{ commonName: string }>;
}

export class ClusterCertificates extends PgclusterResource {
  declare readonly caCert: pulumi.Output<string>;
  declare readonly serverCert: pulumi.Output<string>;
  declare readonly serverKey: pulumi.Output<string>;
  declare readonly clientCert: pulumi.Output<string>;
  declare readonly clientKey: pulumi.Output<string>;
  /** When the first of them expires (ISO 8601). */
  declare readonly notAfter: pulumi.Output<string>;

  constructor(name: string, args: ClusterCertificatesArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      certificatesProvider,
      name,
      {
        ...args,
        caCert: undefined,
        caKey: undefined,
        serverCert: undefined,
        serverKey: undefined,
        clientCert: undefined,
        clientKey: undefined,
        notAfter: undefined,
      },
      { ...opts, additionalSecretOutputs: ['caKey', 'serverKey', 'clientKey'] },
      TYPES.dynamicModule,
      TYPES.certificates,
    );
  }
}
