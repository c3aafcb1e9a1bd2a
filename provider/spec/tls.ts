/**
 * The `tls` key: certificates for every hop (clients, the pooler, replication, Patroni's REST API),
 * from a CA pgcluster generates per cluster or from the user's own files.
 */
import { z } from 'zod';

export const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
export const TLS_DEFAULT_DAYS = 365;
export const TLS_DEFAULT_RENEW_BEFORE_DAYS = 30;

const pemFiles = (what: string, id: string) =>
  z
    .strictObject({
      certFile: z
        .string()
        .describe(`PEM file of the ${what} certificate (a relative path starts at the spec file).`),
      keyFile: z
        .string()
        .describe(
          `PEM file of the ${what} private key: read at apply time, copied 0600 (a Kubernetes Secret, a ` +
            'Pulumi secret), never logged.',
        ),
    })
    .describe(`The ${what} certificate and key from files of your own.`)
    .meta({ id });

const caSecret = z
  .strictObject({
    secret: z
      .string()
      .describe(
        "Name of a Secret in the cluster's namespace holding the CA as `tls.crt` and `tls.key` (type " +
          'kubernetes.io/tls, as cert-manager writes a CA): read by the deployer at preview and up, kept ' +
          'as a Pulumi secret, never logged.',
      ),
  })
  .describe('Your CA from a Kubernetes Secret (platform.kubernetes only).')
  .meta({ id: 'TlsCaSecret' });

export const tlsSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'TLS on every hop: PostgreSQL (clients and replication), the pooler (clients and its server ' +
          'connections) and the Patroni REST API. @default - true',
      ),
    required: z
      .boolean()
      .default(false)
      .describe(
        'Refuse plaintext: pg_hba admits TCP connections only with `hostssl`, and the pooler requires ' +
          'TLS from its clients. false: TLS is offered and plaintext still works. @default - false',
      ),
    ca: z
      .union([z.literal('generated'), pemFiles('CA', 'TlsCaFiles'), caSecret])
      .default('generated')
      .describe(
        '`generated`: a CA of the cluster (ECDSA P-256), created once and kept (Kubernetes: in the Pulumi ' +
          'state, its certificate in the Secrets `<name>-tls` and `<name>-app` as ca.crt). Or your CA as ' +
          '{certFile, keyFile}: pgcluster signs the server and client certificates with it (Kubernetes: ' +
          'read by the deployer, kept as a Pulumi secret, never in the cluster). Or, on Kubernetes, ' +
          '{secret: NAME}: a Secret of the namespace with `tls.crt` and `tls.key` (e.g. a cert-manager CA), ' +
          'read by the deployer and used as the files would be. @default - generated',
      ),
    server: z
      .union([z.literal('generated'), pemFiles('server', 'TlsServerFiles')])
      .default('generated')
      .describe(
        '`generated`: a server certificate signed by the CA with every name clients use (`<name>-rw`, ' +
          '`-ro`, `-r`, `-pooler`, their namespaced and `svc` forms; on Kubernetes every pod through ' +
          'the `<name>-members` Service and 127.0.0.1 for port-forwards; 127.0.0.1 and localhost locally), renewed ' +
          '`renewBeforeDays` before it expires, with a reload and no restart. Or your own ' +
          '{certFile, keyFile} (signed by the CA; on Kubernetes it must name the `svc` names, every pod and ' +
          '127.0.0.1, checked at preview): a changed file is picked up by the next `up`, again by ' +
          'a reload. @default - generated',
      ),
    clientAuth: z
      .strictObject({
        replication: z
          .enum(['cert', 'password'])
          .default('cert')
          .describe(
            '`cert`: replication and pg_rewind connections authenticate with client certificates ' +
              'signed by the CA (`hostssl ... cert` in pg_hba). `password`: SCRAM over TLS. @default - cert',
          ),
        users: z
          .array(z.string())
          .default([])
          .describe(
            'Roles that log in with a client certificate (`hostssl all <role> ... cert`, the ' +
              'certificate CN is the role), e.g. one issued by `pgcluster certificate`. @default - []',
          ),
      })
      .prefault({})
      .describe('Which connections authenticate with client certificates.'),
    minVersion: z
      .enum(TLS_VERSIONS)
      .default('TLSv1.2')
      .describe('Oldest TLS protocol version accepted (PostgreSQL and the pooler). @default - TLSv1.2'),
    days: z
      .int()
      .min(1)
      .default(TLS_DEFAULT_DAYS)
      .describe(
        `Validity of the generated server and client certificates, in days. @default - ${TLS_DEFAULT_DAYS}`,
      ),
    renewBeforeDays: z
      .int()
      .min(0)
      .default(TLS_DEFAULT_RENEW_BEFORE_DAYS)
      .describe(
        'An `up` issues new generated certificates when fewer days than this are left (PostgreSQL and ' +
          `the pooler reload them: no restart). Must be < days. @default - ${TLS_DEFAULT_RENEW_BEFORE_DAYS}`,
      ),
  })
  .describe(
    'TLS certificates for client, pooler, replication and REST API connections. On by default, with a ' +
      'CA of the cluster (as CloudNativePG does); `{enabled: false}` for plaintext.',
  );

export type TlsSpec = z.output<typeof tlsSchema>;
export type PemFilesSpec = { certFile: string; keyFile: string };
export type CaSecretSpec = { secret: string };

/** The CA's files when tls.ca names files (not generated, not a Secret). */
export function caFilesOf(ca: TlsSpec['ca']): PemFilesSpec | undefined {
  return ca !== 'generated' && 'certFile' in ca ? ca : undefined;
}

/** The Secret tls.ca names (platform.kubernetes). */
export function caSecretOf(ca: TlsSpec['ca']): string | undefined {
  return ca !== 'generated' && 'secret' in ca ? ca.secret : undefined;
}
