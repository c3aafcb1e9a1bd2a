/**
 * `tls` on Kubernetes: the Secret `<name>-tls` (the CA, the server certificate with every name
 * clients use, the replication and rewind client certificates), where the pods mount it, and the
 * files the shared renderers (Patroni, pg_hba, PgBouncer) are given. The keys are group-readable by
 * postgres (fsGroup) and owned by root, as PostgreSQL and libpq accept; the pooler mounts only the
 * CA and the server pair.
 */
import type { ClusterSpec } from '../../spec/cluster';
import type { KubernetesNames } from '../../naming';
import { REPLICATION_USER, REWIND_USER } from '../../naming';
import { activeTls, serverNames, type TlsFiles } from '../tls';
import type { PoolerTls } from '../pgbouncer';
import { commonLabels } from './labels';

/** Where the members and the pooler find the Secret's files. */
export const TLS_MOUNT = '/etc/pgcluster/tls';

/** The Secret's keys (`ca.crt`, `tls.crt`, `tls.key` as cert-manager and CloudNativePG name them). */
export const TLS_KEYS = {
  ca: 'ca.crt',
  serverCert: 'tls.crt',
  serverKey: 'tls.key',
  replicationCert: `${REPLICATION_USER}.crt`,
  replicationKey: `${REPLICATION_USER}.key`,
  rewindCert: `${REWIND_USER}.crt`,
  rewindKey: `${REWIND_USER}.key`,
} as const;

/** Read by root and the postgres group only (PostgreSQL refuses a key others can read). */
export const TLS_FILE_MODE = 0o440;

/** What the CA signs, and the pieces the Secret holds (PEM; the keys are secrets). */
export interface TlsMaterial {
  caCert: string;
  serverCert: string;
  serverKey: string;
  replicationCert: string;
  replicationKey: string;
  rewindCert: string;
  rewindKey: string;
}

export function kubernetesTlsFiles(): TlsFiles {
  const at = (key: string) => `${TLS_MOUNT}/${key}`;
  return {
    caFile: at(TLS_KEYS.ca),
    serverCert: at(TLS_KEYS.serverCert),
    serverKey: at(TLS_KEYS.serverKey),
    replicationCert: at(TLS_KEYS.replicationCert),
    replicationKey: at(TLS_KEYS.replicationKey),
    rewindCert: at(TLS_KEYS.rewindCert),
    rewindKey: at(TLS_KEYS.rewindKey),
  };
}

/** The server certificate's request: CN `<name>-rw`, every Service, pod and port-forward name. */
export function kubernetesServerCertificate(spec: ClusterSpec, names: KubernetesNames, namespace: string) {
  return {
    commonName: names.rw,
    ...serverNames(spec.name, { namespace, headless: names.headless, loopback: true }),
  };
}

/** The host a member's connect_address names under tls: its pod through the headless Service. */
export function memberHost(names: KubernetesNames): string {
  return `$(PATRONI_NAME).${names.headless}.$(PATRONI_KUBERNETES_NAMESPACE).svc`;
}

/**
 * On `<name>-tls`: the Secret of the namespace holding the CA's key (`<name>-ca` for a generated CA,
 * tls.ca.secret's), which `pgcluster certificate` signs with. Absent for a CA of tls.ca files: their
 * key never enters the cluster.
 */
export const CA_SECRET_ANNOTATION = 'pgcluster.io/ca-secret';

export function buildTlsSecret(
  cluster: string,
  namespace: string,
  names: KubernetesNames,
  m: TlsMaterial,
  caSecret?: string,
) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: names.tlsSecret,
      namespace,
      labels: commonLabels(cluster),
      ...(caSecret ? { annotations: { [CA_SECRET_ANNOTATION]: caSecret } } : {}),
    },
    type: 'Opaque',
    stringData: {
      [TLS_KEYS.ca]: m.caCert,
      [TLS_KEYS.serverCert]: m.serverCert,
      [TLS_KEYS.serverKey]: m.serverKey,
      [TLS_KEYS.replicationCert]: m.replicationCert,
      [TLS_KEYS.replicationKey]: m.replicationKey,
      [TLS_KEYS.rewindCert]: m.rewindCert,
      [TLS_KEYS.rewindKey]: m.rewindKey,
    },
  };
}

/**
 * A generated CA's certificate and key as a kubernetes.io/tls Secret (as CloudNativePG keeps
 * `<cluster>-ca`): mounted by no pod and readable by none of the cluster's service accounts; whoever
 * may read the namespace's Secrets (and so its passwords) can issue client certificates with it.
 */
export function buildCaSecret(
  cluster: string,
  namespace: string,
  names: KubernetesNames,
  ca: { certificate: string; privateKey: string },
) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: names.caSecret, namespace, labels: commonLabels(cluster) },
    type: 'kubernetes.io/tls',
    stringData: { 'tls.crt': ca.certificate, 'tls.key': ca.privateKey },
  };
}

/** The Secret as a volume: every file for the members, the CA and the server pair for the pooler. */
export function tlsVolume(names: KubernetesNames, only?: ReadonlyArray<keyof typeof TLS_KEYS>) {
  return {
    name: 'tls',
    secret: {
      secretName: names.tlsSecret,
      defaultMode: TLS_FILE_MODE,
      ...(only ? { items: only.map((k) => ({ key: TLS_KEYS[k], path: TLS_KEYS[k] })) } : {}),
    },
  };
}

export const tlsMount = { name: 'tls', mountPath: TLS_MOUNT, readOnly: true };

/** The pooler's files: the server pair to its clients, the CA to verify the -rw Service. */
export function kubernetesPoolerTls(spec: ClusterSpec): PoolerTls | undefined {
  const tls = activeTls(spec);
  if (!tls) return undefined;
  const files = kubernetesTlsFiles();
  return {
    caFile: files.caFile,
    certFile: files.serverCert,
    keyFile: files.serverKey,
    required: tls.required,
    minVersion: tls.minVersion,
  };
}

export const POOLER_TLS_KEYS = ['ca', 'serverCert', 'serverKey'] as const;
