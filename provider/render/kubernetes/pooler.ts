/** PgBouncer on Kubernetes: it targets the <name>-rw Service, which follows the primary. */
import { DEFAULT_POOLER_INSTANCES, type PoolerSpec } from '../../spec/pooler';
import type { PoolerTls } from '../pgbouncer';
import { POOLER_TLS_KEYS, tlsMount, tlsVolume } from './tls';
import type { poolerExporterContainer, poolerExporterVolumes } from './monitoring';
import { kubernetesImage, type KubernetesPlatformSpec } from '../../spec/kubernetes';
import type { KubernetesNames } from '../../naming';
import { renderPgbouncerIni, renderPoolerDatabases, renderUserlist } from '../pgbouncer';
import { POOLER_ADMIN_USER } from '../../naming';
import { commonLabels, poolerLabels, poolerSelector } from './labels';
import { PG_PORT } from './patroni-config';
import { serviceHost } from './secrets';
import { containerSecurityContext, podSecurityContext } from './security';

const CONFIG_DIR = '/etc/pgbouncer';

export interface PoolerExporter {
  container: ReturnType<typeof poolerExporterContainer>;
  volumes: ReturnType<typeof poolerExporterVolumes>;
}

export function buildPooler(
  cluster: string,
  postgresVersion: number,
  pooler: PoolerSpec,
  platform: KubernetesPlatformSpec,
  names: KubernetesNames,
  auth: {
    owner: string;
    appVerifier: string;
    adminVerifier: string;
    users?: ReadonlyArray<{ user: string; secret: string }>;
  },
  /** Under tls: TLS to the clients and verify-full to the -rw Service (render/kubernetes/tls). */
  tls?: PoolerTls,
  /** Under monitoring.exporters: the PgBouncer exporter beside PgBouncer (render/kubernetes/monitoring). */
  exporter?: PoolerExporter,
  /** spec.hibernate: the Deployment keeps its objects with no pod. */
  hibernate = false,
) {
  const ns = platform.namespace;
  const ini = renderPgbouncerIni(pooler, {
    listenHost: '0.0.0.0',
    port: PG_PORT,
    databasesFile: `${CONFIG_DIR}/databases.ini`,
    authFile: `${CONFIG_DIR}/auth/userlist.txt`,
    logFile: '',
    pidFile: '',
    socketDir: '',
    ...(tls ? { tls } : {}),
  });
  const labels = poolerLabels(cluster);
  const instances = pooler.instances ?? DEFAULT_POOLER_INSTANCES;
  return {
    configMap: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: names.poolerConfig, namespace: ns, labels: commonLabels(cluster) },
      data: {
        'pgbouncer.ini': ini,
        'databases.ini': renderPoolerDatabases({ host: serviceHost(names.rw, ns), port: PG_PORT }),
      },
    },
    authSecret: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: names.poolerAuth, namespace: ns, labels: commonLabels(cluster) },
      type: 'Opaque',
      stringData: {
        'userlist.txt': renderUserlist([
          { user: auth.owner, secret: auth.appVerifier },
          { user: POOLER_ADMIN_USER, secret: auth.adminVerifier },
          ...(auth.users ?? []).filter((u) => u.user !== auth.owner && u.user !== POOLER_ADMIN_USER),
        ]),
      },
    },
    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: names.pooler, namespace: ns, labels },
      spec: {
        replicas: hibernate ? 0 : instances,
        selector: { matchLabels: poolerSelector(cluster) },
        template: {
          metadata: { labels },
          spec: {
            securityContext: podSecurityContext(),
            automountServiceAccountToken: false,
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 100,
                    podAffinityTerm: {
                      labelSelector: { matchLabels: poolerSelector(cluster) },
                      topologyKey: 'kubernetes.io/hostname',
                    },
                  },
                ],
              },
            },
            containers: [
              {
                name: 'pgbouncer',
                image: kubernetesImage(postgresVersion, platform),
                imagePullPolicy: platform.imagePullPolicy,
                command: ['pgbouncer', `${CONFIG_DIR}/pgbouncer.ini`],
                ports: [{ name: 'pgbouncer', containerPort: PG_PORT, protocol: 'TCP' }],
                readinessProbe: { tcpSocket: { port: PG_PORT }, periodSeconds: 5 },
                livenessProbe: { tcpSocket: { port: PG_PORT }, periodSeconds: 10 },
                securityContext: containerSecurityContext(),
                volumeMounts: [
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'auth', mountPath: `${CONFIG_DIR}/auth`, readOnly: true },
                  ...(tls ? [tlsMount] : []),
                ],
              },
              ...(exporter ? [exporter.container] : []),
            ],
            volumes: [
              { name: 'config', configMap: { name: names.poolerConfig } },
              { name: 'auth', secret: { secretName: names.poolerAuth, defaultMode: 0o400 } },
              ...(tls ? [tlsVolume(names, POOLER_TLS_KEYS)] : []),
              ...(exporter?.volumes ?? []),
            ],
          },
        },
      },
    },
    /** A drain takes one PgBouncer pod at a time: with 2 or more, one always serves. */
    pdb: {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: names.poolerPdb, namespace: ns, labels: commonLabels(cluster) },
      spec: { maxUnavailable: 1, selector: { matchLabels: poolerSelector(cluster) } },
    },
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: names.pooler, namespace: ns, labels: commonLabels(cluster) },
      spec: {
        type: 'ClusterIP',
        selector: poolerSelector(cluster),
        ports: [{ name: 'pgbouncer', port: PG_PORT, targetPort: PG_PORT, protocol: 'TCP' }],
      },
    },
  };
}
