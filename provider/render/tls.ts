/**
 * What `tls` renders: PostgreSQL's ssl settings, the pg_hba rules of every TCP connection, the
 * libpq options of Patroni's replication and rewind connections, the certificates' names, and the
 * sslmode a client URI carries. Pure: the platform supplies where the files are.
 */
import type { ClusterSpec } from '../spec/cluster';
import type { TlsSpec } from '../spec/tls';

/** Where a member finds the cluster's TLS files (local: the cluster dir; kubernetes: the Secret's mount). */
export interface TlsFiles {
  caFile: string;
  serverCert: string;
  serverKey: string;
  /** Client certificates of the replication and rewind roles (CN = the role). */
  replicationCert: string;
  replicationKey: string;
  rewindCert: string;
  rewindKey: string;
}

/** The spec's tls when it is on, else undefined. */
export function activeTls(spec: ClusterSpec): TlsSpec | undefined {
  return spec.tls?.enabled ? spec.tls : undefined;
}

/** postgresql.conf settings of TLS (all reloadable: a new certificate needs no restart). */
export function sslParameters(tls: TlsSpec, files: TlsFiles): Record<string, string> {
  return {
    ssl: 'on',
    ssl_ca_file: files.caFile,
    ssl_cert_file: files.serverCert,
    ssl_key_file: files.serverKey,
    ssl_min_protocol_version: tls.minVersion,
  };
}

/** pg_hba lines for connections over TCP from `networks` by `user` to `database`, per the tls spec. */
export function tcpRules(
  spec: ClusterSpec,
  networks: readonly string[],
  database: string,
  user: string,
  method: 'scram-sha-256' | 'cert',
): string[] {
  const tls = activeTls(spec);
  const type = method === 'cert' || tls?.required ? 'hostssl' : 'host';
  return networks.map((net) => `${type} ${database} ${user} ${net} ${method}`);
}

/** How Patroni's replication and rewind roles authenticate. */
export function replicationMethod(spec: ClusterSpec): 'scram-sha-256' | 'cert' {
  return activeTls(spec)?.clientAuth.replication === 'cert' ? 'cert' : 'scram-sha-256';
}

/** The libpq options Patroni adds to a role's connections (replication, pg_rewind). */
export function libpqTls(
  spec: ClusterSpec,
  files: TlsFiles | undefined,
  role: 'replication' | 'rewind',
): Record<string, string> {
  const tls = activeTls(spec);
  if (!tls || !files) return {};
  const cert = replicationMethod(spec) === 'cert';
  const [certFile, keyFile] =
    role === 'replication'
      ? [files.replicationCert, files.replicationKey]
      : [files.rewindCert, files.rewindKey];
  return {
    sslmode: 'verify-full',
    sslrootcert: files.caFile,
    ...(cert ? { sslcert: certFile, sslkey: keyFile } : {}),
  };
}

/**
 * Every name a client may use to reach the servers of cluster `name` (server certificate SANs):
 * the Services in every form, each member pod through the `headless` Service, and with `loopback`
 * localhost and 127.0.0.1 (the local platform; on Kubernetes the deployer's port-forwards).
 */
/** An IPv4 or IPv6 address literal (an X.509 iPAddress name) rather than a DNS name. */
const IP_ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/;

export function serverNames(
  name: string,
  where: { namespace?: string; headless?: string; local?: boolean; loopback?: boolean; host?: string },
): { dnsNames: string[]; ipAddresses: string[] } {
  const services = [`${name}-rw`, `${name}-ro`, `${name}-r`, `${name}-pooler`];
  const ns = where.namespace;
  const pods = where.headless ?? name;
  const loopback = where.local === true || where.loopback === true;
  const dnsNames = [
    ...services,
    ...(ns ? services.flatMap((s) => [`${s}.${ns}`, `${s}.${ns}.svc`, `${s}.${ns}.svc.cluster.local`]) : []),
    ...(ns ? [`*.${pods}.${ns}.svc`, `*.${pods}.${ns}.svc.cluster.local`] : []),
    ...(loopback ? ['localhost'] : []),
  ];
  const ipAddresses = loopback ? ['127.0.0.1', '::1'] : [];
  // platform.local.host: the address members are reached by (replication, clients, other sites).
  const host = where.host;
  if (host && !ipAddresses.includes(host) && !dnsNames.includes(host))
    (IP_ADDRESS.test(host) ? ipAddresses : dnsNames).push(host);
  return { dnsNames, ipAddresses };
}

/** The query of a client URI under tls: verify the server by the CA. */
export function uriTlsQuery(caFile: string | undefined): string {
  if (!caFile) return '';
  return `sslmode=verify-full&sslrootcert=${encodeURIComponent(caFile).replace(/%2F/g, '/')}`;
}
