/**
 * The members: a StatefulSet of PostgreSQL + Patroni pods (ordinals from 1, so pods are named like
 * local members), probes on Patroni's REST endpoints, data and optional WAL claims, placement.
 */
import type { ClusterSpec } from '../../spec/cluster';
import { kubernetesImage, type KubernetesPlatformSpec, SchedulingSpec } from '../../spec/kubernetes';
import { FIRST_ORDINAL, type KubernetesNames } from '../../naming';
import { memberLabels, memberSelector } from './labels';
import { CONFIG_MOUNT, DATA_MOUNT, PATRONI_PORT, PG_PORT, SOCKET_DIR, WAL_MOUNT } from './patroni-config';
import { containerSecurityContext, podSecurityContext } from './security';
import {
  backupAnnotation,
  MAKE_POD_DIRS,
  memberBackupContainerParts,
  pgbackrestServerContainer,
  pgbackrestVolume,
} from './backup';
import { cloneMount, cloneVolume, clonesWithPassword } from './clone';
import { peerWatchContainer } from './peer-watch';
import { memberCommand } from './fencing';
import { REPLICA_SOURCE_KEYS, replicaCredentialsSecret } from './replica';
import { activeTls } from '../tls';
import { memberHost, tlsMount, tlsVolume } from './tls';
import { exportersOn, memberExporterContainer, monitoringVolume } from './monitoring';

/**
 * How @pulumi/kubernetes deletes the StatefulSet when it replaces it: orphaning its pods, so they run
 * on and the new StatefulSet, with the same pod template (the same revision), adopts them without a
 * restart. A grown storage size replaces it for its immutable claim templates; MemberStorage grew the
 * claims and deleted it that way already (waiting until it was gone). A destroyed cluster's pods are
 * removed by MemberStorage's delete.
 */
export const ORPHAN_ANNOTATION = 'pulumi.com/deletionPropagationPolicy';

const DEFAULT_SCHEDULING: SchedulingSpec = {
  antiAffinity: 'preferred',
  topologyKey: 'kubernetes.io/hostname',
  spreadAcrossZones: false,
  nodeSelector: {},
  tolerations: [],
};

function secretEnv(name: string, secret: string, key: string) {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

/**
 * The role passwords Patroni logs in with: the cluster's own Secrets, or while `replica` is declared
 * the source's (replica.source.secret): the data, and so the catalog, is the source's copy. The
 * superuser then has none: Patroni reaches its PostgreSQL over the socket by peer (render/pghba).
 */
function passwordEnv(spec: ClusterSpec, names: KubernetesNames) {
  const source = replicaCredentialsSecret(spec);
  if (source)
    return [
      secretEnv('PATRONI_REPLICATION_PASSWORD', source, REPLICA_SOURCE_KEYS.replication),
      secretEnv('PATRONI_REWIND_PASSWORD', source, REPLICA_SOURCE_KEYS.rewind),
    ];
  return [
    secretEnv('PATRONI_SUPERUSER_PASSWORD', names.superuserSecret, 'password'),
    secretEnv('PATRONI_REPLICATION_PASSWORD', names.replicationSecret, 'password'),
    secretEnv('PATRONI_REWIND_PASSWORD', names.replicationSecret, 'rewind-password'),
  ];
}

function affinity(cluster: string, scheduling: SchedulingSpec) {
  const term = {
    labelSelector: { matchLabels: memberSelector(cluster) },
    topologyKey: scheduling.topologyKey,
  };
  if (scheduling.antiAffinity === 'required')
    return { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
  if (scheduling.antiAffinity === 'preferred')
    return {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }],
      },
    };
  return undefined;
}

/** Quantities as Kubernetes writes them: strings ("500m", "1Gi"; a bare number is whole units). */
function resourceRequirements(spec: ClusterSpec) {
  const list = (l?: { cpu?: string | number; memory?: string | number }) =>
    l
      ? Object.fromEntries(
          Object.entries(l)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, String(v)]),
        )
      : undefined;
  const requests = list(spec.resources?.requests);
  const limits = list(spec.resources?.limits);
  return { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
}

function claim(name: string, size: string, platform: KubernetesPlatformSpec) {
  return {
    metadata: { name },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      ...(platform.storageClass ? { storageClassName: platform.storageClass } : {}),
    },
  };
}

/** The claim templates of the StatefulSet: a data claim, and a WAL claim with walSize. */
export function claimTemplates(
  storage: { size: string; walSize?: string },
  platform: KubernetesPlatformSpec,
) {
  return [
    claim('data', storage.size, platform),
    ...(storage.walSize ? [claim('wal', storage.walSize, platform)] : []),
  ];
}

export function buildStatefulSet(
  spec: ClusterSpec,
  platform: KubernetesPlatformSpec,
  names: KubernetesNames,
) {
  const cluster = spec.name;
  const scheduling = spec.scheduling ?? DEFAULT_SCHEDULING;
  const walSize = spec.storage?.walSize;
  // Under tls Patroni's REST API is HTTPS only; the kubelet's HTTPS probes do not verify the certificate.
  const tls = activeTls(spec) !== undefined;
  const probe = (path: string, failureThreshold: number) => ({
    httpGet: { path, port: PATRONI_PORT, scheme: tls ? 'HTTPS' : 'HTTP' },
    periodSeconds: 5,
    timeoutSeconds: 3,
    failureThreshold,
  });
  const podIp = '$(PATRONI_KUBERNETES_POD_IP)';
  // Under tls the members reach each other by the pod's DNS name, which the server certificate
  // names (replication and pg_rewind verify-full). Patroni's REST API is advertised on the pod IP:
  // Patroni's calls to the other members do not check the name, ours go through port-forwards.
  const pgHost = tls ? memberHost(names) : podIp;
  const dataMounts = [
    { name: 'data', mountPath: DATA_MOUNT },
    ...(walSize ? [{ name: 'wal', mountPath: WAL_MOUNT }] : []),
  ];
  const backup = spec.backup ? memberBackupContainerParts() : undefined;
  const container = {
    name: 'postgres',
    image: kubernetesImage(spec.postgresVersion, platform),
    imagePullPolicy: platform.imagePullPolicy,
    // Patroni under k8s-member.py, which stops it while the member is fenced (render/kubernetes/fencing).
    command: backup
      ? [
          '/bin/sh',
          '-c',
          `${MAKE_POD_DIRS} && exec ${memberCommand(cluster, ['patroni', `${CONFIG_MOUNT}/patroni.yml`]).join(' ')}`,
        ]
      : memberCommand(cluster, ['patroni', `${CONFIG_MOUNT}/patroni.yml`]),
    env: [
      { name: 'PATRONI_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'PATRONI_KUBERNETES_POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'PATRONI_KUBERNETES_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'PATRONI_POSTGRESQL_CONNECT_ADDRESS', value: `${pgHost}:${PG_PORT}` },
      { name: 'PATRONI_RESTAPI_CONNECT_ADDRESS', value: `${podIp}:${PATRONI_PORT}` },
      ...passwordEnv(spec, names),
      { name: 'PGDATA', value: `${DATA_MOUNT}/pgdata` },
      ...(backup?.env ?? []),
    ],
    ports: [
      { name: 'postgresql', containerPort: PG_PORT, protocol: 'TCP' },
      { name: 'patroni', containerPort: PATRONI_PORT, protocol: 'TCP' },
    ],
    readinessProbe: probe('/readiness', 3),
    livenessProbe: probe('/liveness', 6),
    startupProbe: { ...probe('/liveness', 60), periodSeconds: 5 },
    resources: resourceRequirements(spec),
    securityContext: containerSecurityContext(),
    volumeMounts: [
      ...dataMounts,
      { name: 'patroni-config', mountPath: CONFIG_MOUNT, readOnly: true },
      { name: 'run', mountPath: SOCKET_DIR },
      { name: 'tmp', mountPath: '/tmp' },
      ...(tls ? [tlsMount] : []),
      ...(backup?.volumeMounts ?? []),
      ...(clonesWithPassword(spec) ? [cloneMount] : []),
    ],
  };
  const spread = scheduling.spreadAcrossZones
    ? [
        {
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: memberSelector(cluster) },
        },
      ]
    : undefined;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: names.statefulSet,
      namespace: platform.namespace,
      labels: memberLabels(cluster),
      annotations: { [ORPHAN_ANNOTATION]: 'orphan', ...(spec.backup ? backupAnnotation(spec) : {}) },
    },
    spec: {
      // Hibernated: no pod, the claims (and so the data) kept: scale-down retains them.
      replicas: spec.hibernate ? 0 : spec.instances,
      ordinals: { start: FIRST_ORDINAL },
      serviceName: names.headless,
      podManagementPolicy: 'Parallel',
      // removedMemberData: delete takes a removed member's claims with it. Hibernating scales to no
      // pod, and must keep every claim: Retain then, in the same object as replicas: 0.
      persistentVolumeClaimRetentionPolicy: {
        whenScaled: spec.removedMemberData === 'delete' && !spec.hibernate ? 'Delete' : 'Retain',
        whenDeleted: 'Retain',
      },
      updateStrategy: { type: 'RollingUpdate' },
      selector: { matchLabels: memberSelector(cluster) },
      template: {
        metadata: { labels: memberLabels(cluster) },
        spec: {
          serviceAccountName: names.serviceAccount,
          automountServiceAccountToken: true,
          terminationGracePeriodSeconds: 60,
          securityContext: podSecurityContext(),
          containers: [
            container,
            ...(spec.backup ? [pgbackrestServerContainer(spec, platform, dataMounts)] : []),
            ...(platform.peerWatch ? [peerWatchContainer(spec, platform)] : []),
            ...(exportersOn(spec) ? [memberExporterContainer(spec, platform)] : []),
          ],
          volumes: [
            { name: 'patroni-config', configMap: { name: names.patroniConfig } },
            { name: 'run', emptyDir: {} },
            { name: 'tmp', emptyDir: {} },
            ...(tls ? [tlsVolume(names)] : []),
            ...(spec.backup ? [pgbackrestVolume(names)] : []),
            ...(clonesWithPassword(spec) ? [cloneVolume(names)] : []),
            ...(exportersOn(spec) ? [monitoringVolume(names)] : []),
          ],
          ...(affinity(cluster, scheduling) ? { affinity: affinity(cluster, scheduling) } : {}),
          ...(spread ? { topologySpreadConstraints: spread } : {}),
          ...(Object.keys(scheduling.nodeSelector).length ? { nodeSelector: scheduling.nodeSelector } : {}),
          ...(scheduling.tolerations.length ? { tolerations: scheduling.tolerations } : {}),
        },
      },
      volumeClaimTemplates: claimTemplates(
        { size: spec.storage?.size ?? '10Gi', ...(walSize ? { walSize } : {}) },
        platform,
      ),
    },
  };
}
