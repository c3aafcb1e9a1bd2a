/** Where a local cluster's TLS files are (light: no X.509 library; see tls.ts for issuing them). */
import type { ClusterSpec } from '../../spec/cluster';
import { activeTls, type TlsFiles } from '../../render/tls';
import type { PoolerTls } from '../../render/pgbouncer';
import type { LocalCluster } from './cluster-context';
import { existsSync } from 'node:fs';

export function tlsFiles(lc: LocalCluster): TlsFiles {
  const t = lc.paths.tls;
  return {
    caFile: t.caCert,
    serverCert: t.serverCert,
    serverKey: t.serverKey,
    replicationCert: t.replicationCert,
    replicationKey: t.replicationKey,
    rewindCert: t.rewindCert,
    rewindKey: t.rewindKey,
  };
}

/** etcd speaks HTTPS: the cluster was created with tls (the scheme stays what it was created with). */
export function etcdTlsOn(lc: LocalCluster): boolean {
  return existsSync(lc.paths.etcd.tlsMarker);
}

export function poolerTls(lc: LocalCluster, spec: ClusterSpec): PoolerTls | undefined {
  const tls = activeTls(spec);
  if (!tls) return undefined;
  const t = lc.paths.tls;
  return {
    caFile: t.caCert,
    certFile: t.serverCert,
    keyFile: t.serverKey,
    required: tls.required,
    minVersion: tls.minVersion,
  };
}
