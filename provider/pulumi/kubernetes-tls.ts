/**
 * `tls` of a PostgresCluster on Kubernetes: the certificates (TlsCertificates, in the Pulumi state
 * with the keys as secrets) and the Secret `<name>-tls` the members and the pooler mount
 * (render/kubernetes/tls).
 */
import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import type { ClusterSpec } from '../spec/cluster';
import { childNames, REPLICATION_USER, REWIND_USER, type KubernetesNames } from '../naming';
import { kubernetesPlatformOf } from '../render/kubernetes';
import { activeTls } from '../render/tls';
import { buildTlsSecret, kubernetesServerCertificate } from '../render/kubernetes/tls';
import { TlsCertificates } from './tls-certificates';
import { readOwnTls } from './kubernetes-tls-files';

export interface KubernetesTls {
  caCert: pulumi.Output<string>;
  secret: k8s.core.v1.Secret;
  /** SHA-256 of the server certificate: a new one is reloaded by the members and the pooler. */
  serverDigest: pulumi.Output<string>;
  serverNotAfter: pulumi.Output<string>;
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
  const certificates = new TlsCertificates(
    child.tlsCertificates,
    {
      caName: `${spec.name} CA`,
      server: kubernetesServerCertificate(spec, names, ns),
      clients: [REPLICATION_USER, REWIND_USER],
      days: tls.days,
      renewBeforeDays: tls.renewBeforeDays,
      ...(own.ca ? { ca: pulumi.secret(own.ca) } : {}),
      ...(own.server ? { ownServer: pulumi.secret(own.server) } : {}),
    },
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
      buildTlsSecret(spec.name, ns, names, {
        caCert,
        serverCert,
        serverKey,
        replicationCert: certs[REPLICATION_USER] as string,
        replicationKey: keys[REPLICATION_USER] as string,
        rewindCert: certs[REWIND_USER] as string,
        rewindKey: keys[REWIND_USER] as string,
      }),
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
  };
}
