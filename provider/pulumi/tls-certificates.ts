/**
 * `TlsCertificates`: the material of `tls` on Kubernetes, kept in the Pulumi state (the private keys
 * as secrets): a CA of the cluster, a server certificate with every name clients use and a client
 * certificate per role (replication, pg_rewind). A later `up` issues a new server or client
 * certificate, signed by the same CA, when its names change or fewer than renewBeforeDays are left;
 * the members and the pooler then reload them (ClusterReady). Closure-free dynamic resource
 * (tls-certificates-impl, loaded by path inside the dynamic-provider host).
 */
import * as pulumi from '@pulumi/pulumi';
import { PgclusterResource } from './resource-base';
import { TYPES } from '../naming';
import { implProvider } from './impl-provider';

export const tlsCertificatesProvider = implProvider(require.resolve('./tls-certificates-impl'));

export interface TlsCertificatesArgs {
  /** The CA's common name. */
  caName: pulumi.Input<string>;
  server: pulumi.Input<{ commonName: string; dnsNames: string[]; ipAddresses: string[] }>;
  /** Common names of the client certificates (the roles they log in as). */
  clients: pulumi.Input<string[]>;
  /** Validity of the server and client certificates, in days. */
  days: pulumi.Input<number>;
  /** Issue a certificate again when fewer days than this are left. */
  renewBeforeDays: pulumi.Input<number>;
  /** Your CA (tls.ca files, a secret): it signs the client certificates. */
  ca?: pulumi.Input<{ certificate: string; privateKey: string } | undefined>;
  /** Your server pair (tls.server files, a secret), served as it is. */
  ownServer?: pulumi.Input<{ certificate: string; privateKey: string }>;
  /** Why the spec's CA cannot be used (found once an input resolved): check fails with it. */
  refusal?: pulumi.Input<string | undefined>;
}

export class TlsCertificates extends PgclusterResource {
  declare readonly caCert: pulumi.Output<string>;
  /** The CA's private key (secret): ours, or the one given as `ca`. */
  declare readonly caKey: pulumi.Output<string>;
  declare readonly serverCert: pulumi.Output<string>;
  declare readonly serverKey: pulumi.Output<string>;
  /** Common name to PEM certificate. */
  declare readonly clientCerts: pulumi.Output<Record<string, string>>;
  /** Common name to PEM private key (secret). */
  declare readonly clientKeys: pulumi.Output<Record<string, string>>;
  /** When the server certificate expires (ISO 8601). */
  declare readonly serverNotAfter: pulumi.Output<string>;

  constructor(name: string, args: TlsCertificatesArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      tlsCertificatesProvider,
      name,
      {
        ...args,
        caCert: undefined,
        caKey: undefined,
        serverCert: undefined,
        serverKey: undefined,
        clientCerts: undefined,
        clientKeys: undefined,
        serverNotAfter: undefined,
      },
      { ...opts, additionalSecretOutputs: ['caKey', 'serverKey', 'clientKeys', 'ca', 'ownServer'] },
      TYPES.dynamicModule,
      TYPES.tlsCertificates,
    );
  }
}
