/**
 * `monitoring` on Kubernetes: postgres_exporter as a sidecar of every member (pgcluster's query set,
 * over TCP to its own pod, verify-full under tls), Patroni's /metrics on its REST port, the PgBouncer
 * exporter (the local platform's script, on the image's Patroni Python) beside every pooler pod, a
 * ConfigMap with the query set, the script and its configuration, and the optional PodMonitor that
 * scrapes every `metrics` and `patroni` port. Passwords come from Secrets (an environment variable
 * or a mounted file), never an argument or a ConfigMap.
 */
import type { ClusterSpec } from '../../spec/cluster';
import { kubernetesImage, type KubernetesPlatformSpec } from '../../spec/kubernetes';
import type { KubernetesNames } from '../../naming';
import { POOLER_ADMIN_USER, SUPERUSER } from '../../naming';
import { renderExporterQueries } from '../exporter-queries';
import { activeTls } from '../tls';
import { commonLabels } from './labels';
import { PATRONI_PORT, PG_PORT, SOCKET_DIR } from './patroni-config';
import { containerSecurityContext } from './security';
import { kubernetesTlsFiles, TLS_KEYS, tlsMount } from './tls';

export const EXPORTER_PORT = 9187;
export const POOLER_EXPORTER_PORT = 9127;
export const MONITORING_MOUNT = '/etc/pgcluster/monitoring';
const POOLER_PASS_MOUNT = '/etc/pgcluster/pooler-admin';
export const POOLER_EXPORTER_SCRIPT = 'pgbouncer-exporter.py';
const POOLER_EXPORTER_CONFIG = 'pooler-exporter.json';
/** The image's Python with psycopg2 (the pinned Patroni's venv). */
const PYTHON = '/opt/patroni/bin/python3';

/** The exporters run (monitoring.exporters, the default once `monitoring` is set). */
export function exportersOn(spec: ClusterSpec): boolean {
  return spec.monitoring?.exporters === true;
}

function monitoringMount() {
  return { name: 'monitoring', mountPath: MONITORING_MOUNT, readOnly: true };
}

export function monitoringVolume(names: KubernetesNames) {
  return { name: 'monitoring', configMap: { name: names.monitoringConfig } };
}

/** The query set, the PgBouncer exporter script and its configuration (no secret: a password file path). */
export function buildMonitoringConfigMap(
  spec: ClusterSpec,
  names: KubernetesNames,
  namespace: string,
  poolerScript: string,
) {
  const tls = activeTls(spec);
  const poolerConfig = {
    listen: { host: '0.0.0.0', port: POOLER_EXPORTER_PORT },
    admin: {
      host: '127.0.0.1',
      port: PG_PORT,
      user: POOLER_ADMIN_USER,
      passFile: `${POOLER_PASS_MOUNT}/password`,
      ...(tls ? { sslmode: 'verify-full', sslrootcert: kubernetesTlsFiles().caFile } : {}),
    },
  };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: names.monitoringConfig, namespace, labels: commonLabels(spec.name) },
    data: {
      'queries.yaml': renderExporterQueries(),
      ...(spec.pooler.enabled
        ? {
            [POOLER_EXPORTER_SCRIPT]: poolerScript,
            [POOLER_EXPORTER_CONFIG]: `${JSON.stringify(poolerConfig, null, 2)}\n`,
          }
        : {}),
    },
  };
}

/** The pooler admin's password as a file for the PgBouncer exporter (its own Secret, mounted 0440). */
export function buildPoolerExporterSecret(
  spec: ClusterSpec,
  names: KubernetesNames,
  namespace: string,
  password: string,
) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: names.poolerExporterSecret, namespace, labels: commonLabels(spec.name) },
    type: 'Opaque',
    stringData: { password },
  };
}

/**
 * postgres_exporter beside PostgreSQL: the superuser over the pod's socket (the `run` volume) by
 * peer, as on the local platform, so it holds no password (a replica cluster has none for it).
 */
export function memberExporterContainer(spec: ClusterSpec, platform: KubernetesPlatformSpec) {
  return {
    name: 'exporter',
    image: kubernetesImage(spec.postgresVersion, platform),
    imagePullPolicy: platform.imagePullPolicy,
    command: [
      'prometheus-postgres-exporter',
      `--web.listen-address=:${EXPORTER_PORT}`,
      `--extend.query-path=${MONITORING_MOUNT}/queries.yaml`,
      '--log.level=warn',
    ],
    env: [
      {
        name: 'DATA_SOURCE_NAME',
        value: `host=${SOCKET_DIR} port=${PG_PORT} user=${SUPERUSER} dbname=postgres sslmode=disable`,
      },
    ],
    ports: [{ name: 'metrics', containerPort: EXPORTER_PORT, protocol: 'TCP' }],
    readinessProbe: { tcpSocket: { port: EXPORTER_PORT }, periodSeconds: 10 },
    resources: { requests: { cpu: '10m', memory: '32Mi' } },
    securityContext: containerSecurityContext(),
    volumeMounts: [monitoringMount(), { name: 'run', mountPath: SOCKET_DIR }],
  };
}

/** The PgBouncer exporter beside PgBouncer: its admin console on 127.0.0.1 (verify-full under tls). */
export function poolerExporterContainer(spec: ClusterSpec, platform: KubernetesPlatformSpec) {
  const tls = activeTls(spec);
  return {
    name: 'exporter',
    image: kubernetesImage(spec.postgresVersion, platform),
    imagePullPolicy: platform.imagePullPolicy,
    command: [
      PYTHON,
      `${MONITORING_MOUNT}/${POOLER_EXPORTER_SCRIPT}`,
      `${MONITORING_MOUNT}/${POOLER_EXPORTER_CONFIG}`,
    ],
    ports: [{ name: 'metrics', containerPort: POOLER_EXPORTER_PORT, protocol: 'TCP' }],
    readinessProbe: { tcpSocket: { port: POOLER_EXPORTER_PORT }, periodSeconds: 10 },
    resources: { requests: { cpu: '10m', memory: '32Mi' } },
    securityContext: containerSecurityContext(),
    volumeMounts: [
      monitoringMount(),
      { name: 'pooler-admin', mountPath: POOLER_PASS_MOUNT, readOnly: true },
      ...(tls ? [tlsMount] : []),
    ],
  };
}

export function poolerExporterVolumes(names: KubernetesNames) {
  return [
    monitoringVolume(names),
    { name: 'pooler-admin', secret: { secretName: names.poolerExporterSecret, defaultMode: 0o440 } },
  ];
}

/**
 * A PodMonitor (Prometheus Operator) for the members' exporter and Patroni, and the pooler's exporter.
 * Under tls Patroni's REST API is HTTPS: Prometheus verifies it with the CA of `<name>-tls`, by a name
 * the server certificate carries (it scrapes the pod IP, which the certificate does not name).
 */
export function buildPodMonitor(spec: ClusterSpec, names: KubernetesNames, namespace: string) {
  const patroni = activeTls(spec)
    ? {
        port: 'patroni',
        path: '/metrics',
        scheme: 'https',
        tlsConfig: {
          ca: { secret: { name: names.tlsSecret, key: TLS_KEYS.ca } },
          serverName: `${names.rw}.${namespace}.svc`,
        },
      }
    : { port: 'patroni', path: '/metrics', scheme: 'http' };
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: { name: names.podMonitor, namespace, labels: commonLabels(spec.name) },
    spec: {
      selector: {
        matchLabels: { 'app.kubernetes.io/instance': spec.name, 'app.kubernetes.io/managed-by': 'pgcluster' },
        matchExpressions: [
          { key: 'app.kubernetes.io/component', operator: 'In', values: ['database', 'pooler'] },
        ],
      },
      podTargetLabels: ['app.kubernetes.io/component', 'cluster-name', 'role'],
      podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', scheme: 'http' }, patroni],
    },
  };
}

export { PATRONI_PORT };
