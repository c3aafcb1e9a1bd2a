/**
 * What the renderers need besides the spec: where a member lives and how it is reached.
 * Platforms fill these in (local: 127.0.0.1 ports and state-dir paths; kubernetes: pod DNS names
 * and volume mounts); the renderers stay pure and platform-neutral.
 */
import type { TlsFiles } from './tls';

export interface MemberContext {
  /** Member name, e.g. `orders-2`. */
  name: string;
  /** Address other members and clients use to reach this member. */
  host: string;
  /** Address PostgreSQL and the Patroni REST API listen on. */
  listenHost: string;
  postgresPort: number;
  restPort: number;
  dataDir: string;
  /** Directory for PostgreSQL's unix socket. */
  socketDir: string;
  /** File Patroni keeps its .pgpass in. */
  pgpassFile: string;
  /** Where PostgreSQL's own log files go (logging_collector). */
  logDir: string;
}

export type DcsContext =
  | { kind: 'etcd3'; hosts: string[]; /** etcd speaks HTTPS: verify it with this CA. */ caFile?: string }
  | { kind: 'kubernetes'; namespace: string; labels: Record<string, string> };

/** Passwords of the roles pgcluster owns. Never logged; rendered only into 0600 files or Secrets. */
export interface ClusterSecrets {
  /**
   * Absent on a local replica cluster: its catalog is its source's, and it never holds the source's
   * superuser password (the local superuser logs in over the socket by peer authentication).
   */
  superuserPassword?: string;
  replicationPassword: string;
  rewindPassword: string;
  /** Password of the bootstrap application owner (bootstrap.initdb.owner). */
  appPassword: string;
  /** PgBouncer admin console password. */
  poolerAdminPassword: string;
}

/** How the first member gets its data when it is not initdb (the platform supplies the paths). */
export interface BootstrapContext {
  /** bootstrap.recovery: the pgBackRest configuration that only reads the source repository. */
  restoreConfig?: string;
  /** bootstrap.pgBasebackup: the command that clones the source into the data directory. */
  cloneCommand?: string;
}

/**
 * Patroni's standby_cluster for a replica cluster: where its standby leader follows the source
 * (host/port: the source's current leader, for streaming), how it restores the source's WAL
 * (restore_command, for the archive) and how its first member gets the data.
 */
export interface StandbyContext {
  host?: string;
  port?: number;
  restoreCommand?: string;
  /** recovery_min_apply_delay of the standby leader (replica.applyDelay), e.g. 1h. */
  applyDelay?: string;
  /** Patroni's create_replica_methods for the standby leader, e.g. [basebackup]. */
  createReplicaMethods: string[];
  /** The custom method restoring the source's latest backup (archive), when one is listed. */
  restoreMethod?: { name: string; command: string };
  /**
   * An external source (replica.source.host): the libpq TLS options of the replication login, which
   * serves both the link and the cascade (its sslMode; with verify-*, a root file holding the
   * source's CA and this cluster's own).
   */
  replicationTls?: Record<string, string>;
}

export interface PatroniContext {
  member: MemberContext;
  dcs: DcsContext;
  /** Directory holding postgres, pg_ctl, initdb, pg_rewind ... */
  binDir: string;
  secrets: ClusterSecrets;
  /** Networks allowed to connect over TCP, in CIDR form. */
  allowedNetworks: string[];
  /** Command Patroni runs on start and role changes (e.g. to point the pooler at the new primary). */
  callback?: string;
  /**
   * Patroni's postgresql.pre_promote: runs once this member holds the leader lock, before it
   * promotes; a non-zero exit cancels the promotion. Local: fences the old primary's processes.
   */
  prePromote?: string;
  /**
   * Patroni's postgresql.before_stop: runs synchronously after Patroni's own CHECKPOINT, right
   * before it signals the postmaster to stop. Local: PAUSEs the pooler for pgcluster's switchover.
   */
  beforeStop?: string;
  bootstrap?: BootstrapContext;
  /** Set while the cluster is a replica cluster (spec.replica, not the group's primary). */
  standby?: StandbyContext;
  /** Where the TLS files are, when spec.tls is on. */
  tls?: TlsFiles;
  /** platform.local: the OS users pg_ident maps to the superuser over the socket (peer, no password). */
  peerUsers?: string[];
}
