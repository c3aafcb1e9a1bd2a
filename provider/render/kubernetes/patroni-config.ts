/**
 * patroni.yml for the pods: the same renderer as the local platform, with the Kubernetes DCS.
 * What differs per pod (its name and IP) and the passwords come from environment variables
 * (PATRONI_NAME, PATRONI_*_CONNECT_ADDRESS, PATRONI_*_PASSWORD), so the ConfigMap holds no secret.
 */
import YAML from 'yaml';
import type { ClusterSpec } from '../../spec/cluster';
import { buildPatroniConfig } from '../patroni';
import { patroniLabels } from './labels';
import { activeTls } from '../tls';
import { kubernetesTlsFiles } from './tls';
import { kubernetesStandby } from './replica';

export const PG_PORT = 5432;
export const PATRONI_PORT = 8008;
export const DATA_MOUNT = '/var/lib/postgresql/data';
export const WAL_MOUNT = '/var/lib/postgresql/wal';
export const CONFIG_MOUNT = '/etc/patroni';
export const SOCKET_DIR = '/var/run/postgresql';
export const ALL_NETWORKS = ['0.0.0.0/0', '::/0'];
/** Where the pgBackRest Secret is mounted (render/kubernetes/backup). */
export const PGBACKREST_MOUNT = '/etc/pgbackrest';
export const RESTORE_SOURCE_FILE = 'restore-source.conf';
/** The configuration bootstrap.recovery restores with: it only reads the source's repository. */
export const RESTORE_SOURCE_CONF = `${PGBACKREST_MOUNT}/${RESTORE_SOURCE_FILE}`;

/** bootstrap.pgBasebackup's custom bootstrap (render/kubernetes/clone): Patroni's python3, on PATH. */
export const CLONE_SCRIPT = 'clone-basebackup.py';
export const CLONE_CONFIG = 'clone.json';
export const CLONE_COMMAND = `python3 ${CONFIG_MOUNT}/${CLONE_SCRIPT} ${CONFIG_MOUNT}/${CLONE_CONFIG}`;

/**
 * Fencing before a promotion (postgresql.pre_promote): the script, shipped in this ConfigMap, deletes
 * the pod of a member that may still run a primary (a frozen one) and waits for the kubelet to
 * confirm its containers gone (provider/platform/local/scripts/k8s-fence-old-primary.py).
 */
export const FENCE_SCRIPT = 'k8s-fence-old-primary.py';
export function fenceCommand(cluster: string): string {
  return `python3 ${CONFIG_MOUNT}/${FENCE_SCRIPT} ${cluster}`;
}

export function postgresBinDir(version: number): string {
  return `/usr/lib/postgresql/${version}/bin`;
}

export function buildKubernetesPatroniConfig(spec: ClusterSpec, namespace: string): Record<string, unknown> {
  const standby = kubernetesStandby(spec);
  const config = buildPatroniConfig(spec, {
    member: {
      name: '',
      host: '',
      listenHost: '0.0.0.0',
      postgresPort: PG_PORT,
      restPort: PATRONI_PORT,
      dataDir: `${DATA_MOUNT}/pgdata`,
      socketDir: SOCKET_DIR,
      pgpassFile: '/tmp/pgpass',
      logDir: `${DATA_MOUNT}/log`,
    },
    dcs: { kind: 'kubernetes', namespace, labels: patroniLabels(spec.name) },
    binDir: postgresBinDir(spec.postgresVersion),
    secrets: {
      superuserPassword: '',
      replicationPassword: '',
      rewindPassword: '',
      appPassword: '',
      poolerAdminPassword: '',
    },
    allowedNetworks: ALL_NETWORKS,
    prePromote: fenceCommand(spec.name),
    // Under tls the REST API is HTTPS with the server certificate, which names every member pod and
    // 127.0.0.1 (the deployer's and the CLI's port-forwards verify it by the CA).
    ...(activeTls(spec) ? { tls: kubernetesTlsFiles() } : {}),
    ...(spec.bootstrap.recovery ? { bootstrap: { restoreConfig: RESTORE_SOURCE_CONF } } : {}),
    ...(spec.bootstrap.pgBasebackup ? { bootstrap: { cloneCommand: CLONE_COMMAND } } : {}),
    // A replica cluster: its first member is a base backup of the source and follows it.
    ...(standby ? { standby } : {}),
  });
  delete config.name;
  // Patroni copies a top-level `namespace` (the etcd key prefix) over kubernetes.namespace, and would
  // then look for its pods and ConfigMaps in a namespace named after the prefix (403 everywhere).
  delete config.namespace;
  const restapi = config.restapi as Record<string, unknown>;
  delete restapi.connect_address;
  const postgresql = config.postgresql as Record<string, unknown>;
  delete postgresql.connect_address;
  const authentication = postgresql.authentication as Record<string, Record<string, unknown>>;
  for (const user of Object.values(authentication)) delete user.password;
  const bootstrap = config.bootstrap as { initdb?: unknown[] };
  if (spec.storage?.walSize && bootstrap.initdb)
    bootstrap.initdb = [...bootstrap.initdb, { waldir: `${WAL_MOUNT}/pg_wal` }];
  return config;
}

export function renderKubernetesPatroniYaml(spec: ClusterSpec, namespace: string): string {
  return YAML.stringify(buildKubernetesPatroniConfig(spec, namespace), { lineWidth: 0, version: '1.1' });
}
