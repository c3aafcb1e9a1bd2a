/**
 * pgBackRest on Kubernetes, as plain objects (pure). The same renderer as the local platform writes
 * every file: one configuration per member (pg1 = that pod, the others through their pgBackRest TLS
 * servers), and one for the repository host, the CronJobs' pods, which list every member remote.
 *
 * How a scheduled backup reaches a member's data without SSH: each member pod runs `pgbackrest
 * server` beside PostgreSQL (TLS, client certificates signed by the cluster's own CA, only the
 * backup client's CN let in, for this stanza only). The CronJob's pod connects to them as
 * pgBackRest's documented repository host does, so it needs no Kubernetes API access at all (its
 * ServiceAccount has no Role and no token), where exec into a pod would need `pods/exec`, which is
 * a shell on the database. Archiving, restores and new replicas run in the member pods themselves.
 */
import { createHash } from 'node:crypto';
import type { ClusterSpec } from '../../spec/cluster';
import type { BackupType, S3Keys } from '../../spec/backup';
import { BACKUP_TYPES } from '../../spec/backup';
import { kubernetesImage, type KubernetesPlatformSpec } from '../../spec/kubernetes';
import { FIRST_ORDINAL, memberName, type KubernetesNames } from '../../naming';
import {
  renderPgbackrestConf,
  renderRestoreConf,
  repoPath,
  type PgHost,
  type RemoteHost,
  type RepoContext,
} from '../pgbackrest';
import { sourceStanza } from '../patroni';
import { commonLabels } from './labels';
import { DATA_MOUNT, PG_PORT, PGBACKREST_MOUNT, RESTORE_SOURCE_FILE, SOCKET_DIR } from './patroni-config';
import { containerSecurityContext, podSecurityContext } from './security';

/** The member pods of the spec's instances: <cluster>-1..N. */
export function memberNamesOf(spec: ClusterSpec): string[] {
  return Array.from({ length: spec.instances }, (_, i) => memberName(spec.name, i + FIRST_ORDINAL));
}

export { PGBACKREST_MOUNT, RESTORE_SOURCE_CONF } from './patroni-config';
export const PGBACKREST_TLS_PORT = 8432;
/** The repository host's configuration in the Secret. */
export const REPO_HOST_CONF = 'repo-host.conf';
/** The annotation on the StatefulSet that tells the CLI the cluster's backup spec (no secrets in it). */
export const BACKUP_ANNOTATION = 'pgcluster.io/backup';
/** The label of a backup job's objects that says which type it takes. */
export const BACKUP_TYPE_LABEL = 'pgcluster.io/backup-type';
/** Days the generated certificates last; the component issues new ones 30 days before. */
export const CERTIFICATE_DAYS = { ca: 3650, leaf: 825 } as const;
export const RENEW_BEFORE_DAYS = 30;

const FILES = {
  ca: 'ca.crt',
  serverCert: 'server.crt',
  serverKey: 'server.key',
  clientCert: 'client.crt',
  clientKey: 'client.key',
  s3Ca: 's3-ca.crt',
  sourceS3Ca: 'source-s3-ca.crt',
  restoreSource: RESTORE_SOURCE_FILE,
} as const;
const file = (name: string) => `${PGBACKREST_MOUNT}/${name}`;

/** The TLS material of the pgBackRest servers and their one client, and the repository's secrets. */
export interface BackupMaterial {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Static S3 keys; absent: the pods' own identity (IRSA or the node's). */
  keys?: S3Keys;
  passphrase?: string;
  /** PEM of the CA of the S3 endpoint (backup.s3.caFile), read by the deployer. */
  s3Ca?: string;
  /** bootstrap.recovery's repository: its keys, passphrase and CA (source.s3.caFile). */
  source?: { keys?: S3Keys; passphrase?: string; s3Ca?: string };
}

/** CN of the client certificate the CronJobs and the members present to the members' servers. */
export function backupClientName(cluster: string): string {
  return `pgcluster-${cluster}-backup`;
}

/** A member's name in DNS, through the headless Service (what pgN-host says and the certificate holds). */
export function memberHost(member: string, names: KubernetesNames, namespace: string): string {
  return `${member}.${names.headless}.${namespace}.svc`;
}

/** The names the members' server certificate carries: every pod of the headless Service. */
export function serverNames(names: KubernetesNames, namespace: string): string[] {
  return [`*.${names.headless}.${namespace}.svc`, `*.${names.headless}.${namespace}.svc.cluster.local`];
}

const POD_PATHS = {
  spool: `${DATA_MOUNT}/pgbackrest/spool`,
  log: `${DATA_MOUNT}/pgbackrest/log`,
  lock: '/tmp/pgbackrest',
};
/**
 * pgBackRest does not create its log directory (without it, it runs but logs nothing to a file): both
 * containers of a member make the pod's directories on the data volume before they start.
 */
export const MAKE_POD_DIRS = `mkdir -p ${POD_PATHS.log} ${POD_PATHS.spool}`;

const REPO_HOST_PATHS = {
  spool: '/tmp/pgbackrest/spool',
  // pgBackRest does not create a log directory: the Job's /tmp (an emptyDir) itself.
  log: '/tmp',
  lock: '/tmp/pgbackrest/lock',
};

function localPg(): PgHost {
  return { path: `${DATA_MOUNT}/pgdata`, port: PG_PORT, socketPath: SOCKET_DIR };
}

function remotePg(member: string, names: KubernetesNames, namespace: string): PgHost {
  const remote: RemoteHost = {
    host: memberHost(member, names, namespace),
    port: PGBACKREST_TLS_PORT,
    caFile: file(FILES.ca),
    certFile: file(FILES.clientCert),
    keyFile: file(FILES.clientKey),
    config: file(`${member}.conf`),
  };
  return { ...localPg(), remote };
}

function repoOf(spec: ClusterSpec, material: BackupMaterial): RepoContext {
  const s3 = spec.backup!.s3;
  return {
    s3,
    path: repoPath(s3, spec.name),
    keys: material.keys,
    ...(material.s3Ca ? { caFile: file(FILES.s3Ca) } : {}),
    passphrase: material.passphrase,
    ...(!material.keys && s3.irsa ? { keyType: 'web-id' as const } : {}),
  };
}

/** Every file of the Secret the members and the CronJobs mount: configurations, certificates, keys. */
export function renderBackupFiles(spec: ClusterSpec, names: KubernetesNames, material: BackupMaterial) {
  const backup = spec.backup!;
  const ns = spec.platform.kubernetes!.namespace;
  const members = memberNamesOf(spec);
  const repo = repoOf(spec, material);
  const files: Record<string, string> = {
    [FILES.ca]: material.caCert,
    [FILES.serverCert]: material.serverCert,
    [FILES.serverKey]: material.serverKey,
    [FILES.clientCert]: material.clientCert,
    [FILES.clientKey]: material.clientKey,
    ...(material.s3Ca ? { [FILES.s3Ca]: material.s3Ca } : {}),
  };
  const recovery = spec.bootstrap.recovery;
  if (recovery) {
    // The first member restores with it (Patroni's custom bootstrap): pg1 is the pod.
    const s3 = recovery.source.s3;
    if (!s3)
      throw new Error('bootstrap.recovery on kubernetes reads source.s3 (the rules refuse source.cluster)');
    const stanza = sourceStanza(recovery);
    const source = material.source ?? {};
    if (source.s3Ca) files[FILES.sourceS3Ca] = source.s3Ca;
    files[FILES.restoreSource] = renderRestoreConf(
      {
        stanza,
        repo: {
          s3,
          path: repoPath(s3, stanza),
          keys: source.keys,
          ...(source.s3Ca ? { caFile: file(FILES.sourceS3Ca) } : {}),
          passphrase: source.passphrase,
        },
        pg: [localPg()],
        logPath: POD_PATHS.log,
        lockPath: POD_PATHS.lock,
      },
      backup.processMax,
    );
  }
  for (const member of members) {
    files[`${member}.conf`] = renderPgbackrestConf(backup, {
      stanza: spec.name,
      repo,
      pg: [localPg(), ...members.filter((m) => m !== member).map((m) => remotePg(m, names, ns))],
      spoolPath: POD_PATHS.spool,
      logPath: POD_PATHS.log,
      lockPath: POD_PATHS.lock,
      server: {
        address: '0.0.0.0',
        port: PGBACKREST_TLS_PORT,
        certFile: file(FILES.serverCert),
        keyFile: file(FILES.serverKey),
        caFile: file(FILES.ca),
        clientCommonName: backupClientName(spec.name),
      },
    });
  }
  files[REPO_HOST_CONF] = renderPgbackrestConf(backup, {
    stanza: spec.name,
    repo,
    pg: members.map((m) => remotePg(m, names, ns)),
    spoolPath: REPO_HOST_PATHS.spool,
    logPath: REPO_HOST_PATHS.log,
    lockPath: REPO_HOST_PATHS.lock,
  });
  return files;
}

/**
 * The SHA-256 of each member's configuration in the Secret (`<member>.conf` to its hex digest): what
 * the readiness check compares with the file each pod sees, since the kubelet refreshes a mounted
 * Secret only on its own schedule (a key changed by `up` must not be checked with the old file).
 */
export function memberConfigDigests(spec: ClusterSpec, files: Readonly<Record<string, string>>) {
  return Object.fromEntries(
    memberNamesOf(spec).map((m) => {
      const text = files[`${m}.conf`];
      if (text === undefined) throw new Error(`no pgBackRest configuration for member ${m}`);
      return [m, createHash('sha256').update(text).digest('hex')];
    }),
  );
}

/** Where a member's pgBackRest configuration is in its pod. */
export function memberConfigPath(member: string): string {
  return file(`${member}.conf`);
}

export function buildBackupSecret(spec: ClusterSpec, names: KubernetesNames, material: BackupMaterial) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: names.pgbackrestSecret,
      namespace: spec.platform.kubernetes!.namespace,
      labels: commonLabels(spec.name),
    },
    type: 'Opaque',
    stringData: renderBackupFiles(spec, names, material),
  };
}

/** The Secret as a volume: group-readable by postgres (fsGroup), nobody else. */
export function pgbackrestVolume(names: KubernetesNames) {
  return { name: 'pgbackrest', secret: { secretName: names.pgbackrestSecret, defaultMode: 0o440 } };
}

const pgbackrestMount = { name: 'pgbackrest', mountPath: PGBACKREST_MOUNT, readOnly: true };

/** What the postgres container adds: PGBACKREST_CONFIG (archive_command and restores use it), the Secret. */
export function memberBackupContainerParts() {
  return {
    env: [{ name: 'PGBACKREST_CONFIG', value: `${PGBACKREST_MOUNT}/$(PATRONI_NAME).conf` }],
    volumeMounts: [pgbackrestMount],
  };
}

/**
 * Runs `pgbackrest server` and sends it SIGHUP (its configuration reload) when its certificate, key,
 * CA or configuration change in the mounted Secret (new certificates, a new member): the server
 * reads them only when it starts or reloads. Its exit ends the container (the kubelet restarts it).
 */
export const SERVER_SCRIPT = [
  MAKE_POD_DIRS,
  'pgbackrest server & pid=$!',
  "trap 'kill -TERM $pid; wait $pid; exit 0' TERM INT",
  `digest() { cat ${PGBACKREST_MOUNT}/${FILES.serverCert} ${PGBACKREST_MOUNT}/${FILES.serverKey} ${PGBACKREST_MOUNT}/${FILES.ca} "$PGBACKREST_CONFIG" 2>/dev/null | sha256sum; }`,
  'last=$(digest)',
  'while kill -0 $pid 2>/dev/null; do',
  '  sleep 10 & wait $!',
  '  now=$(digest)',
  '  if [ "$now" != "$last" ]; then kill -HUP $pid; last=$now; fi',
  'done',
  'wait $pid',
].join('\n');

/**
 * The member's pgBackRest TLS server, a container of its own: it reads the data directory and reaches
 * PostgreSQL on the shared socket directory. No readiness probe: it must never take the database out
 * of its Services.
 */
export function pgbackrestServerContainer(
  spec: ClusterSpec,
  platform: KubernetesPlatformSpec,
  dataMounts: ReadonlyArray<{ name: string; mountPath: string }>,
) {
  return {
    name: 'pgbackrest',
    image: kubernetesImage(spec.postgresVersion, platform),
    imagePullPolicy: platform.imagePullPolicy,
    command: ['/bin/sh', '-c', SERVER_SCRIPT],
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'PGBACKREST_CONFIG', value: `${PGBACKREST_MOUNT}/$(POD_NAME).conf` },
    ],
    ports: [{ name: 'pgbackrest', containerPort: PGBACKREST_TLS_PORT, protocol: 'TCP' }],
    livenessProbe: {
      tcpSocket: { port: PGBACKREST_TLS_PORT },
      periodSeconds: 30,
      timeoutSeconds: 5,
      failureThreshold: 3,
    },
    securityContext: containerSecurityContext(),
    volumeMounts: [
      ...dataMounts,
      pgbackrestMount,
      { name: 'run', mountPath: SOCKET_DIR },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
}

/** The CronJobs' pods: no API access (no Role, no token); IRSA annotates it with the archive role. */
export function buildBackupServiceAccount(spec: ClusterSpec, names: KubernetesNames) {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: names.backupServiceAccount,
      namespace: spec.platform.kubernetes!.namespace,
      labels: commonLabels(spec.name),
    },
    automountServiceAccountToken: false,
  };
}

function backupLabels(cluster: string, type: BackupType): Record<string, string> {
  return {
    ...commonLabels(cluster),
    'app.kubernetes.io/component': 'backup',
    [BACKUP_TYPE_LABEL]: type,
  };
}

/** The pod of one backup (what a CronJob's Job runs): pgBackRest as the repository host. */
export function backupPodSpec(
  spec: ClusterSpec,
  platform: KubernetesPlatformSpec,
  names: KubernetesNames,
  type: BackupType,
) {
  return {
    serviceAccountName: names.backupServiceAccount,
    automountServiceAccountToken: false,
    restartPolicy: 'Never',
    securityContext: podSecurityContext(),
    containers: [
      {
        name: 'pgbackrest',
        image: kubernetesImage(spec.postgresVersion, platform),
        imagePullPolicy: platform.imagePullPolicy,
        command: [
          'pgbackrest',
          `--config=${PGBACKREST_MOUNT}/${REPO_HOST_CONF}`,
          `--stanza=${spec.name}`,
          `--type=${type}`,
          // What `kubectl logs job/...` shows: each step, not only warnings.
          '--log-level-console=info',
          'backup',
        ],
        securityContext: containerSecurityContext(),
        volumeMounts: [pgbackrestMount, { name: 'tmp', mountPath: '/tmp' }],
      },
    ],
    volumes: [pgbackrestVolume(names), { name: 'tmp', emptyDir: {} }],
  };
}

/** The CronJob name of a backup type. */
export function backupCronJobName(cluster: string, type: BackupType): string {
  return `${cluster}-backup-${type}`;
}

/**
 * One CronJob per scheduled type. The controller's time zone (UTC unless the cluster's is set
 * otherwise) decides when; a run still going when the next is due makes that one wait (Forbid).
 */
export function buildBackupCronJobs(
  spec: ClusterSpec,
  platform: KubernetesPlatformSpec,
  names: KubernetesNames,
) {
  const schedule = spec.backup?.schedule ?? {};
  return BACKUP_TYPES.filter((t) => schedule[t] !== undefined).map((type) => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: backupCronJobName(spec.name, type),
      namespace: platform.namespace,
      labels: backupLabels(spec.name, type),
    },
    spec: {
      schedule: schedule[type] as string,
      // Hibernated: no member to back up; the schedule resumes with the cluster.
      suspend: spec.hibernate,
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: backupLabels(spec.name, type) },
        spec: {
          // A failed backup is resumed by the next attempt (pgBackRest's resume).
          backoffLimit: 2,
          template: {
            metadata: { labels: backupLabels(spec.name, type) },
            spec: backupPodSpec(spec, platform, names, type),
          },
        },
      },
    },
  }));
}

/** The backup spec the CLI reads back from the StatefulSet (references only: no secret in it). */
export function backupAnnotation(spec: ClusterSpec): Record<string, string> {
  return spec.backup ? { [BACKUP_ANNOTATION]: JSON.stringify(spec.backup) } : {};
}
