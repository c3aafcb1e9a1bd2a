/**
 * The names other tools give to what a pgcluster key declares, for "did you mean" hints: a person
 * who knows CloudNativePG, Zalando's postgres-operator, Crunchy PGO, a StatefulSet or Patroni writes
 * their words first. One table; zod-issues.ts consults it before the spelling distance (which would
 * turn `replicas` into `replica`, a different key). Pure data.
 */

export interface OtherToolsName {
  /** Where the key is written: the dotted path of the object holding it ('' for the top level). */
  at: string;
  /** The other tool's key. */
  key: string;
  /** The pgcluster key (dotted from the top level) that declares it. */
  means: string;
  /** Whose word it is, and anything a person must know to move it over. */
  whose: string;
}

export const OTHER_TOOLS_NAMES: readonly OtherToolsName[] = [
  // the number of members
  {
    at: '',
    key: 'replicas',
    means: 'instances',
    whose: "a StatefulSet's word; instances counts the primary too",
  },
  { at: '', key: 'numberOfInstances', means: 'instances', whose: "Zalando's word" },
  { at: '', key: 'members', means: 'instances', whose: 'the number of members, the primary included' },
  {
    at: '',
    key: 'size',
    means: 'instances',
    whose: 'the number of members; the volume size is storage.size',
  },
  // the PostgreSQL major and settings
  { at: '', key: 'version', means: 'postgresVersion', whose: 'the PostgreSQL major' },
  { at: '', key: 'pgVersion', means: 'postgresVersion', whose: 'the PostgreSQL major' },
  { at: '', key: 'postgresqlVersion', means: 'postgresVersion', whose: 'the PostgreSQL major' },
  {
    at: '',
    key: 'postgresql',
    means: 'postgresVersion',
    whose:
      "Zalando's postgresql.version is postgresVersion, its postgresql.parameters (and CloudNativePG's) are parameters, CloudNativePG's postgresql.pg_hba is pgHba",
  },
  {
    at: '',
    key: 'postgres',
    means: 'postgresVersion',
    whose: "StackGres' postgres.version; settings are parameters",
  },
  { at: '', key: 'postgresqlParameters', means: 'parameters', whose: 'PostgreSQL settings' },
  { at: '', key: 'config', means: 'parameters', whose: 'PostgreSQL settings' },
  { at: '', key: 'pg_hba', means: 'pgHba', whose: "CloudNativePG's and Patroni's word" },
  { at: '', key: 'hba', means: 'pgHba', whose: 'pg_hba.conf lines' },
  // the image (Kubernetes)
  { at: '', key: 'imageName', means: 'platform.kubernetes.image', whose: "CloudNativePG's word" },
  { at: '', key: 'image', means: 'platform.kubernetes.image', whose: 'the image of a Kubernetes cluster' },
  { at: '', key: 'dockerImage', means: 'platform.kubernetes.image', whose: "Zalando's word" },
  {
    at: '',
    key: 'namespace',
    means: 'platform.kubernetes.namespace',
    whose: 'where a Kubernetes cluster runs',
  },
  {
    at: '',
    key: 'storageClass',
    means: 'platform.kubernetes.storageClass',
    whose: 'a Kubernetes StorageClass',
  },
  // volumes
  {
    at: '',
    key: 'volume',
    means: 'storage.size',
    whose: "Zalando's volume.size; volume.storageClass is platform.kubernetes.storageClass",
  },
  { at: '', key: 'walStorage', means: 'storage.walSize', whose: "CloudNativePG's walStorage.size" },
  { at: '', key: 'walVolume', means: 'storage.walSize', whose: 'the size of the WAL volume' },
  {
    at: '',
    key: 'dataVolumeClaimSpec',
    means: 'storage.size',
    whose: "Crunchy's resources.requests.storage",
  },
  { at: '', key: 'storageSize', means: 'storage.size', whose: 'the data volume size' },
  { at: '', key: 'volumeSize', means: 'storage.size', whose: 'the data volume size' },
  { at: '', key: 'diskSize', means: 'storage.size', whose: 'the data volume size' },
  { at: 'storage', key: 'capacity', means: 'storage.size', whose: 'the data volume size, e.g. 10Gi' },
  { at: 'storage', key: 'storage', means: 'storage.size', whose: 'the data volume size, e.g. 10Gi' },
  { at: 'storage', key: 'volumeSize', means: 'storage.size', whose: 'the data volume size, e.g. 10Gi' },
  { at: 'storage', key: 'sizeLimit', means: 'storage.size', whose: 'the data volume size, e.g. 10Gi' },
  {
    at: 'storage',
    key: 'storageClass',
    means: 'platform.kubernetes.storageClass',
    whose: "CloudNativePG's storage.storageClass",
  },
  { at: 'storage', key: 'walStorage', means: 'storage.walSize', whose: 'the WAL volume size, e.g. 2Gi' },
  { at: 'storage', key: 'wal', means: 'storage.walSize', whose: 'the WAL volume size, e.g. 2Gi' },
  { at: 'storage', key: 'walVolumeSize', means: 'storage.walSize', whose: 'the WAL volume size, e.g. 2Gi' },
  // replication and HA (Patroni)
  { at: '', key: 'minSyncReplicas', means: 'synchronous.number', whose: "CloudNativePG's word" },
  { at: '', key: 'maxSyncReplicas', means: 'synchronous.number', whose: "CloudNativePG's word" },
  {
    at: '',
    key: 'synchronous_mode',
    means: 'synchronous',
    whose: "Patroni's word; synchronous.dataDurability: required is synchronous_mode_strict",
  },
  { at: '', key: 'synchronousMode', means: 'synchronous', whose: "Patroni's synchronous_mode" },
  {
    at: '',
    key: 'patroni',
    means: 'ha',
    whose:
      "Zalando's patroni.ttl/loop_wait/retry_timeout are ha.ttl/loopWait/retryTimeout, its synchronous_mode is synchronous, its pg_hba is pgHba",
  },
  { at: 'synchronous', key: 'synchronous_node_count', means: 'synchronous.number', whose: "Patroni's word" },
  {
    at: 'synchronous',
    key: 'count',
    means: 'synchronous.number',
    whose: 'the number of synchronous standbys',
  },
  // roles, databases, pooler, backups, placement
  { at: '', key: 'users', means: 'roles', whose: "Zalando's word; each role is {name, login, ...}" },
  { at: '', key: 'managed', means: 'roles', whose: "CloudNativePG's managed.roles" },
  { at: '', key: 'connectionPooler', means: 'pooler', whose: "Zalando's word" },
  { at: '', key: 'enableConnectionPooler', means: 'pooler', whose: "Zalando's word; pooler.enabled" },
  { at: '', key: 'pgbouncer', means: 'pooler', whose: 'PgBouncer' },
  { at: '', key: 'proxy', means: 'pooler', whose: "Crunchy's proxy.pgBouncer" },
  { at: '', key: 'backups', means: 'backup', whose: "Crunchy's backups.pgbackrest" },
  { at: '', key: 'pgbackrest', means: 'backup', whose: 'pgBackRest' },
  {
    at: 'backup',
    key: 'barmanObjectStore',
    means: 'backup.s3',
    whose: "CloudNativePG's word; pgcluster archives with pgBackRest",
  },
  { at: 'backup', key: 'retentionPolicy', means: 'backup.retention', whose: "CloudNativePG's word" },
  {
    at: '',
    key: 'clone',
    means: 'bootstrap',
    whose: "Zalando's clone is bootstrap.pgBasebackup or bootstrap.recovery",
  },
  { at: '', key: 'standby', means: 'replica', whose: "Zalando's standby: a standby of another cluster" },
  { at: '', key: 'affinity', means: 'scheduling', whose: 'Kubernetes placement' },
  { at: '', key: 'nodeSelector', means: 'scheduling', whose: 'Kubernetes placement' },
  { at: '', key: 'tolerations', means: 'scheduling', whose: 'Kubernetes placement' },
  { at: '', key: 'certificates', means: 'tls', whose: "CloudNativePG's word" },
  // a Kubernetes manifest pasted whole
  {
    at: '',
    key: 'spec',
    means: 'name',
    whose: "a custom resource's spec: pgcluster's keys stand at the top level, name among them",
  },
  { at: '', key: 'metadata', means: 'name', whose: "a Kubernetes object's metadata.name" },
];

/** The other tool's name at this path, if the table knows it. */
export function otherToolsName(at: string, key: string): OtherToolsName | undefined {
  return OTHER_TOOLS_NAMES.find((n) => n.at === at && n.key === key);
}
