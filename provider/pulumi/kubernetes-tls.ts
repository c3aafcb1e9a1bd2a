/**
 * `tls` of a PostgresCluster on Kubernetes: the certificates (TlsCertificates, in the Pulumi state
 * with the keys as secrets) and the Secret `<name>-tls` the members and the pooler mount
 * (render/kubernetes/tls).
 */
import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import type { ClusterSpec } from '../spec/cluster';
import { childNames, REWIND_USER, superuserCertName, type KubernetesNames } from '../naming';
import { kubernetesReplica } from '../spec/replica';
import { replicationUser } from '../render/replication-user';
import { kubernetesPlatformOf } from '../render/kubernetes';
import { activeTls } from '../render/tls';
import { buildCaSecret, buildTlsSecret, kubernetesServerCertificate } from '../render/kubernetes/tls';
import { TlsCertificates } from './tls-certificates';
import { caFromSecretData, readOwnTls } from './kubernetes-tls-files';
import { caSecretOf } from '../spec/tls';
import type { IssuedPem } from '../secrets/x509';

export interface KubernetesTls {
  caCert: pulumi.Output<string>;
  secret: k8s.core.v1.Secret;
  /** SHA-256 of the server certificate: a new one is reloaded by the members and the pooler. */
  serverDigest: pulumi.Output<string>;
  serverNotAfter: pulumi.Output<string>;
  /**
   * A replica cluster's superuser client certificate (CN superuserCertName, a secret with its key),
   * which its pg_hba maps to the superuser: the deployer's and the CLI's login over TCP.
   */
  superuser?: pulumi.Output<{ cert: string; key: string }>;
}

export function createKubernetesTls(
  parent: pulumi.Resource,
  resourceName: string,
  spec: ClusterSpec,
  names: KubernetesNames,
): KubernetesTls {
  const tls = activeTls(spec);
  if (!tls) throw new Error('tls is off');
  const ns = kubernetesPlatformOf(spec).namespace;
  const child = childNames(resourceName);
  let own: ReturnType<typeof readOwnTls>;
  try {
    own = readOwnTls(spec, names, ns, process.cwd());
  } catch (e) {
    throw new pulumi.ResourceError(`PostgresCluster ${resourceName}: ${(e as Error).message}`, parent);
  }
  // tls.ca.secret: the Secret is read (a Pulumi read, in preview too) through the component's provider;
  // its data is a Pulumi secret, checked here and passed on as one. A refusal goes to TlsCertificates'
  // check, which fails the preview with it: thrown inside this apply, the error would be printed but
  // the program would never finish (the engine waits on the resources fed from the failed output).
  const caSecret = caSecretOf(tls.ca);
  const secretRead = caSecret
    ? k8s.core.v1.Secret.get(child.tlsCaSource, `${ns}/${caSecret}`, { parent }).data.apply(
        (data): { ca?: IssuedPem; refusal?: string } => {
          try {
            return { ca: caFromSecretData(caSecret, ns, data) };
          } catch (e) {
            return { refusal: `PostgresCluster ${resourceName}: ${(e as Error).message}` };
          }
        },
      )
    : undefined;
  const secretCa = secretRead ? pulumi.secret(secretRead.apply((r) => r.ca)) : undefined;
  const replica = kubernetesReplica(spec);
  const certificates = new TlsCertificates(
    child.tlsCertificates,
    {
      caName: `${spec.name} CA`,
      server: kubernetesServerCertificate(spec, names, ns),
      // The replication role's certificate: replicator, or a replica cluster's replica.source.user;
      // a replica cluster's superuser's (render/pghba).
      clients: [replicationUser(spec), REWIND_USER, ...(replica ? [superuserCertName(spec.name)] : [])],
      days: tls.days,
      renewBeforeDays: tls.renewBeforeDays,
      ...(own.ca ? { ca: pulumi.secret(own.ca) } : {}),
      ...(secretCa ? { ca: secretCa } : {}),
      // The refusal names the Secret and the missing key, never a value: not a secret.
      ...(secretRead ? { refusal: pulumi.unsecret(secretRead.apply((r) => r.refusal)) } : {}),
      ...(own.server ? { ownServer: pulumi.secret(own.server) } : {}),
    },
    { parent },
  );
  // A generated CA's key goes into <name>-ca for `pgcluster certificate`; tls.ca.secret's is already
  // in the namespace; that of tls.ca files stays out of the cluster.
  const generated = tls.ca === 'generated';
  const caSecretName = generated ? names.caSecret : caSecret;
  const caObject = generated
    ? pulumi
        .all([certificates.caCert, certificates.caKey])
        .apply(([certificate, privateKey]) =>
          buildCaSecret(spec.name, ns, names, { certificate, privateKey }),
        )
    : undefined;
  if (caObject)
    new k8s.core.v1.Secret(
      child.caSecret,
      { metadata: caObject.metadata, type: caObject.type, stringData: pulumi.secret(caObject.stringData) },
      { parent },
    );
  const object = pulumi
    .all([
      certificates.caCert,
      certificates.serverCert,
      certificates.serverKey,
      certificates.clientCerts,
      certificates.clientKeys,
    ])
    .apply(([caCert, serverCert, serverKey, certs, keys]) =>
      buildTlsSecret(
        spec.name,
        ns,
        names,
        {
          caCert,
          serverCert,
          serverKey,
          replicationCert: certs[replicationUser(spec)] as string,
          replicationKey: keys[replicationUser(spec)] as string,
          rewindCert: certs[REWIND_USER] as string,
          rewindKey: keys[REWIND_USER] as string,
        },
        caSecretName,
      ),
    );
  const secret = new k8s.core.v1.Secret(
    child.tlsSecret,
    { metadata: object.metadata, type: object.type, stringData: pulumi.secret(object.stringData) },
    { parent },
  );
  return {
    caCert: certificates.caCert,
    secret,
    serverDigest: certificates.serverCert.apply((pem) => createHash('sha256').update(pem).digest('hex')),
    serverNotAfter: certificates.serverNotAfter,
    ...(replica
      ? {
          superuser: pulumi.secret(
            pulumi.all([certificates.clientCerts, certificates.clientKeys]).apply(([certs, keys]) => ({
              cert: certs[superuserCertName(spec.name)] as string,
              key: keys[superuserCertName(spec.name)] as string,
            })),
          ),
        }
      : {}),
  };
}
