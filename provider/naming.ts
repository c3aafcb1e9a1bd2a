/**
 * Names are a public contract: member names, ports and file locations derive from here only.
 * Pure: no I/O.
 */

/** Members are `<cluster>-<slot>`, slot 1..N, like CloudNativePG's instance names. */
export function memberName(cluster: string, slot: number): string {
  return `${cluster}-${slot}`;
}

/** The slot of a member name of this cluster, or undefined when the name is not one of ours. */
export function memberSlot(cluster: string, member: string): number | undefined {
  const prefix = `${cluster}-`;
  if (!member.startsWith(prefix)) return undefined;
  const rest = member.slice(prefix.length);
  return /^[1-9][0-9]*$/.test(rest) ? Number(rest) : undefined;
}

/** Role names pgcluster creates and owns. */
export const SUPERUSER = 'postgres';
export const REPLICATION_USER = 'replicator';
export const REWIND_USER = 'rewinder';
export const POOLER_ADMIN_USER = 'pgbouncer_admin';
/**
 * NOLOGIN role whose members are the dedicated replication roles of replica clusters
 * (`<cluster>_replication`): the pg_hba of a local cluster admits its members for replication.
 */
export const REPLICATION_GROUP = 'pgcluster_replication';

/** The dedicated replication role of a cluster of a replica group (at most 62 bytes: names are at most 50). */
export function dedicatedReplicationRole(cluster: string): string {
  return `${cluster.replace(/-/g, '_')}_replication`;
}

/** platform.local: the pg_ident.conf map of the OS users that log in over the socket as SUPERUSER (peer). */
export const PEER_MAP = 'pgcluster';

/**
 * A replica cluster on Kubernetes: the pg_ident.conf map by which the client certificate of
 * superuserCertName (the group CA's) logs in as SUPERUSER over TCP (the deployer's and the CLI's
 * port-forwards), since the cluster holds none of its source's passwords for it.
 */
export const SUPERUSER_CERT_MAP = 'pgcluster-superuser';

/** The CN of a replica cluster's superuser client certificate: its own, so no other cluster's admits it. */
export function superuserCertName(cluster: string): string {
  return `pgcluster-superuser.${cluster}`;
}

/** Names of the Kubernetes objects of a cluster (object names; also the Pulumi child names). */
export function kubernetesNames(cluster: string) {
  return {
    serviceAccount: cluster,
    role: `${cluster}-patroni`,
    roleBinding: `${cluster}-patroni`,
    /** Patroni's own ConfigMaps are <scope>-leader/-config/-sync/-failover: ours must not collide. */
    patroniConfig: `${cluster}-patroni`,
    /** spec.fenced as the members read it (render/kubernetes/fencing): key `fenced`, a JSON list. */
    fencing: `${cluster}-fencing`,
    statefulSet: cluster,
    headless: `${cluster}-members`,
    rw: `${cluster}-rw`,
    ro: `${cluster}-ro`,
    r: `${cluster}-r`,
    pdb: cluster,
    superuserSecret: `${cluster}-superuser`,
    replicationSecret: `${cluster}-replication`,
    appSecret: `${cluster}-app`,
    pooler: `${cluster}-pooler`,
    poolerConfig: `${cluster}-pooler`,
    poolerAuth: `${cluster}-pooler-auth`,
    /** The pooler admin's user and password: what `pgcluster switchover` PAUSEs the pooler pods with. */
    poolerAdminSecret: `${cluster}-pooler-admin`,
    /** The pooler pods' own PodDisruptionBudget (the members' is <cluster>). */
    poolerPdb: `${cluster}-pooler`,
    /** pgBackRest's configurations, TLS material and S3 keys (backup). */
    pgbackrestSecret: `${cluster}-pgbackrest`,
    /** The scheduled backups' pods: no API access at all. */
    backupServiceAccount: `${cluster}-backup`,
    /** bootstrap.pgBasebackup: the source's password, as a pgpass line. */
    cloneSecret: `${cluster}-clone-source`,
    /** Under tls: the CA, the server certificate and the replication and rewind client certificates. */
    tlsSecret: `${cluster}-tls`,
    /** Under tls with a generated CA: its certificate and key (kubernetes.io/tls), mounted by no pod. */
    caSecret: `${cluster}-ca`,
    /** Under monitoring.exporters: the query set and the PgBouncer exporter's script and configuration. */
    monitoringConfig: `${cluster}-monitoring`,
    /** The pooler admin's password, for the PgBouncer exporter only. */
    poolerExporterSecret: `${cluster}-pooler-exporter`,
    podMonitor: cluster,
  };
}

export type KubernetesNames = ReturnType<typeof kubernetesNames>;

/** Member pods are <cluster>-1..N (StatefulSet ordinals start at 1), like the local platform. */
export const FIRST_ORDINAL = 1;

/** Pulumi logical names of a PostgresCluster's children, from the Pulumi resource name. */
export function childNames(resource: string) {
  const n = (suffix: string) => `${resource}-${suffix}`;
  return {
    superuserPassword: n('superuser-password'),
    replicationPassword: n('replication-password'),
    rewindPassword: n('rewind-password'),
    appPassword: n('app-password'),
    poolerAdminPassword: n('pooler-admin-password'),
    serviceAccount: n('serviceaccount'),
    role: n('role'),
    roleBinding: n('rolebinding'),
    patroniConfig: n('patroni-config'),
    fencing: n('fencing'),
    statefulSet: n('members'),
    rw: n('rw'),
    ro: n('ro'),
    r: n('r'),
    headless: n('members-headless'),
    pdb: n('pdb'),
    superuserSecret: n('superuser'),
    replicationSecret: n('replication'),
    appSecret: n('app'),
    poolerConfig: n('pooler-config'),
    poolerAdminSecret: n('pooler-admin'),
    poolerAuth: n('pooler-auth'),
    poolerDeployment: n('pooler'),
    poolerService: n('pooler'),
    poolerPdb: n('pooler-pdb'),
    ready: n('ready'),
    backupCertificates: n('backup-certificates'),
    pgbackrestSecret: n('pgbackrest'),
    cloneSecret: n('clone-source'),
    backupServiceAccount: n('backup-serviceaccount'),
    backupCronJob: (type: string) => n(`backup-${type}`),
    scaleGuard: n('scale-guard'),
    memberStorage: n('storage'),
    tlsCertificates: n('tls-certificates'),
    tlsSecret: n('tls'),
    tlsCaSource: n('tls-ca-source'),
    caSecret: n('ca'),
    monitoringConfig: n('monitoring-config'),
    poolerExporterSecret: n('pooler-exporter'),
    podMonitor: n('podmonitor'),
    local: n('local'),
  };
}

/** Type tokens of pgcluster's own resources. */
export const TYPES = {
  postgresCluster: 'pgcluster:index:PostgresCluster',
  /** Dynamic resources: pulumi-nodejs:dynamic/<module>:<type>. */
  dynamicModule: 'pgcluster',
  password: 'GeneratedPassword',
  localCluster: 'LocalCluster',
  clusterReady: 'ClusterReady',
  scaleDownGuard: 'ScaleDownGuard',
  memberStorage: 'MemberStorage',
  role: 'Role',
  database: 'Database',
  grant: 'Grant',
  backup: 'Backup',
  certificates: 'ClusterCertificates',
  tlsCertificates: 'TlsCertificates',
  clientCertificate: 'ClientCertificate',
} as const;
