/**
 * One interface for every platform (in the spirit of Patroni's one module per DCS). Actions talk
 * to a cluster only through it: local runs processes on this machine; kubernetes (a later
 * version) reaches pods through port-forwards while Pulumi owns the objects.
 */
import type { ClusterSpec } from '../spec/cluster';
import type { Reporter } from '../report/reporter';
import type { ManagedSql } from '../sql/managed';
import type { PoolerUser } from '../sql/pooler-users';
import type { BackupSecrets } from '../secrets/references';
import type { BackupInfo } from '../backup/info';
import type { StandbyContext } from '../render/context';

export interface PgEndpoint {
  host: string;
  port: number;
}

export interface Credentials {
  user: string;
  password: string;
  database: string;
  /**
   * Under tls: connect with TLS and verify the server with this CA (PEM); with cert and key, log in
   * with that client certificate (a Kubernetes replica cluster's superuser).
   */
  ssl?: { ca: string; cert?: string; key?: string };
  /**
   * platform.local's superuser: the unix socket directory of the member at that endpoint, where it
   * logs in by peer authentication (no password, no TLS); undefined: over TCP as usual.
   */
  socketFor?: (endpoint: PgEndpoint) => string | undefined;
}

/** Process-level facts a platform knows about a member (the local platform: PIDs). */
export interface MemberRuntime {
  name: string;
  /** Supervisor/Patroni process alive. */
  running: boolean;
  postgres: PgEndpoint;
  apiUrl: string;
  pid?: number;
  patroniPid?: number;
  supervisorPid?: number;
  /** Where the member's own log is (local: its supervisor's and Patroni's, patroni.log). */
  logFile?: string;
}

export interface ClusterEndpoints {
  /** Members that can take writes, in order (libpq picks the read-write one). */
  rw: PgEndpoint[];
  /** Members to read from (libpq picks a standby). */
  ro: PgEndpoint[];
  pooler?: PgEndpoint;
  /** Under tls: the CA file clients verify the servers with (URIs carry sslmode=verify-full). */
  caFile?: string;
}

export interface ClusterRuntime {
  name: string;
  exists: boolean;
  spec?: ClusterSpec;
  /** The spec file `pgcluster up -f` applied last (local platform), for hints. */
  specFile?: string;
  members: MemberRuntime[];
  endpoints: ClusterEndpoints;
  /** Auxiliary processes (etcd, pooler, exporters) and whether they run, with their ports. */
  services: Record<string, { running: boolean; pid?: number; port?: number; url?: string }>;
  /** Under tls: each certificate of the cluster and when it expires. */
  certificates?: CertificateStatus[];
}

export interface CertificateStatus {
  /** ca, server, replicator, rewinder. */
  name: string;
  subject: string;
  notAfter: string;
  daysLeft: number;
}

/** What the actions need to reach a running cluster. */
/** What demoting a primary cluster left behind (spec.replica): where its WAL ended, on which timeline. */
export interface DemotionRecord {
  /** The last WAL position it wrote: its shutdown checkpoint, replayed by the cluster that takes over. */
  lsn: string;
  timeline: number;
  /** ISO time of the demotion. */
  at: string;
  /** The cluster it was demoted for (the new primary cluster). */
  to: string;
}

/**
 * A replica cluster's record of its source (the standby leader's source watch, every second):
 * where the source primary's WAL ended when last heard, and since when it answers no more.
 */
export interface SourcePosition {
  /** The source cluster (Patroni's scope) whose primary answered. */
  sourceCluster: string | null;
  /** The source primary's member that answered. */
  sourceMember: string;
  /** Its WAL position (bytes, Patroni's xlog.location) when last heard. */
  sourceLocation: number;
  /** When it was last heard (epoch ms). */
  heardAt: number;
  /** What this cluster's standby leader had received then (bytes), when known. */
  receivedLocation: number | null;
  /** The first probe after heardAt that no source member answered (epoch ms); null while it answers. */
  firstFailedAt: number | null;
  /** When the watch took the source for silent: the last of SILENT_AFTER probes in a row that no source member answered (epoch ms); null while it answers. */
  silentFrom: number | null;
}

export interface ClusterAccess {
  /** Patroni REST API base URLs of all members, by member name. */
  apiUrls(): Record<string, string>;
  /** Networks the cluster's pg_hba admits over TCP (CIDR). */
  allowedNetworks: readonly string[];
  /** Superuser credentials. */
  superuser(): Credentials;
  /** The bootstrap application owner's credentials (its own database). */
  app(): Credentials;
  /** SCRAM verifier of the app password, stable across calls (stored with the secrets). */
  appVerifier(): string;
  /**
   * Where the deployer reaches a member's PostgreSQL, given the address Patroni reports for it
   * (a pod IP on Kubernetes). Absent: that address is reachable as is (local platform).
   */
  pgEndpoint?(member: { name: string; host?: string; port?: number }): Promise<PgEndpoint>;
  /** Members whose processes are gone and will not come back by themselves, with where to look. */
  processProblems?(): string[];
  /** The bytes a member's data directory holds now (the progress of a restore or a clone); absent: unknown. */
  dataBytes?(member: string): number | undefined;
  /** The last lines of each member's log, for an error that needs them. */
  logTails?(lines: number): string;
  /** The pooler's console, for the actions that move the primary; absent: no pooler to steer. */
  pooler?(): Promise<PoolerControl | undefined>;
  /** What `up` manages in SQL (roles, databases, grants, password fingerprints); absent: nothing yet. */
  managedSql?(): ManagedSql | undefined;
  /** Stores it (privately: it holds password fingerprints) after every SQL apply, failed or not. */
  saveManagedSql?(managed: ManagedSql): void;
  /** Stores (privately) the managed login roles the pooler admits, with their verifiers. */
  savePoolerUsers?(users: PoolerUser[]): void;
  /**
   * Runs a pgBackRest command with the cluster's configuration (every member listed, pg1 a
   * running member) as the user the cluster runs as. Absent: the platform runs none.
   */
  pgbackrest?(args: readonly string[], timeoutMs?: number): Promise<PgbackrestResult>;
  /** The repository `up` last found working (stanza created, `check` passed), by its identity. */
  archiveVerified?(): string | undefined;
  saveArchiveVerified?(identity: string | undefined): void;
  /** Where the last backup pgcluster took or listed is remembered (status shows it without asking S3). */
  lastBackup?(): BackupInfo | undefined;
  saveLastBackup?(backup: BackupInfo): void;
  /** The last demotion of this cluster (spec.replica), as its state keeps it; absent: never demoted. */
  demotion?(): DemotionRecord | undefined;
  saveDemotion?(demotion: DemotionRecord | undefined): void;
}

/** What a PAUSE of the pooler achieved. */
export interface PauseResult {
  /** Every server connection was released (each running transaction finished) in time. */
  complete: boolean;
  ms: number;
  /** Server connections still in use when the timeout passed (-1: unknown). */
  busy: number;
}

/**
 * The pooler around a planned change of primary: clients wait instead of failing. Platforms
 * without a pooler to steer (Kubernetes: its PgBouncer pods follow the -rw Service) leave it out.
 */
export interface PoolerControl {
  /**
   * Session mode with pooler.carrySessions: pools server connections per transaction until
   * resumeAt, so each session client can move to the new primary between two transactions.
   * A no-op in the other modes.
   */
  loosen(): Promise<void>;
  pause(timeoutMs: number): Promise<PauseResult>;
  /**
   * Arms the PAUSE for the moment `leader`'s PostgreSQL stops (local: Patroni's before_stop hook
   * runs it right before the postmaster is signalled), so clients wait from the demotion on, not
   * while Patroni checks the members and writes its checkpoint. False: `leader` has no such hook
   * (call pause() now instead). Absent: the platform has none.
   */
  pauseAtStop?(leader: string, timeoutMs: number): boolean;
  /** What the armed PAUSE did, once the hook ran (`at`: when it began, ms since the epoch). */
  pausedAtStop?(): (PauseResult & { at: number }) | undefined;
  /** Points it at `member` (pool mode as the spec says), reloads it and RESUMEs it. */
  resumeAt(member: string): Promise<void>;
}

export interface PgbackrestResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** What `up` hands the platform besides the spec: the secrets its references named, read. */
export interface ProvisionInputs {
  secrets: BackupSecrets;
  /** Where relative paths of the spec (caFile) start: the spec file's directory. */
  baseDir: string;
}

export interface Platform {
  readonly kind: 'local' | 'kubernetes';
  /** Everything that can be checked before touching anything. Throws InputError. */
  preflight(spec: ClusterSpec, inputs?: ProvisionInputs): Promise<void>;
  /**
   * Makes the platform's processes/objects match the spec: starts what is missing, reconfigures
   * what changed, adds members. Returns members it must remove once the rest is healthy, and
   * whether the cluster was created by this call.
   */
  provision(
    spec: ClusterSpec,
    reporter: Reporter,
    inputs?: ProvisionInputs,
  ): Promise<{ toRemove: string[]; created: boolean }>;
  /** Removes members (scale-down) after the cluster no longer needs them. */
  removeMembers(spec: ClusterSpec, members: string[], reporter: Reporter): Promise<void>;
  /** Writes the pooler's config with the current primary and (re)starts it. */
  syncPooler(spec: ClusterSpec, primary: string | undefined, reporter: Reporter): Promise<void>;
  /** Makes scheduled backups match backup.schedule (local: the scheduler daemon). */
  syncSchedules(spec: ClusterSpec, reporter: Reporter): Promise<void>;
  /** Records a successful apply. */
  commit(spec: ClusterSpec): Promise<void>;
  access(name: string): Promise<ClusterAccess>;
  runtime(name: string): Promise<ClusterRuntime>;
  list(): Promise<string[]>;
  stop(name: string, reporter: Reporter): Promise<void>;
  /** Returns false when there was nothing of that name to destroy. */
  destroy(name: string, reporter: Reporter): Promise<boolean>;
  /**
   * spec.hibernate: stops every member (and, locally, the pooler, etcd and the scheduler), keeps
   * data and identity, and records the spec. Absent: the platform hibernates through its objects.
   */
  hibernate?(spec: ClusterSpec, reporter: Reporter): Promise<void>;
  /**
   * spec.replica: Patroni's standby_cluster the spec asks for now (the source's current leader, its
   * archive); undefined when the spec makes the cluster the primary of its group. Absent: no replica clusters.
   */
  standbyCluster?(spec: ClusterSpec): Promise<StandbyContext | undefined>;
  /** spec.replica: the latest record of the source's position (the RPO of an unplanned promotion). */
  sourcePosition?(spec: ClusterSpec): SourcePosition | undefined;
  /**
   * spec.replica: the cluster's dedicated replication role (its own secret) made current on the
   * group's writable primary cluster. Absent: the platform's clusters replicate as `replicator`.
   */
  ensureReplicationRole?(spec: ClusterSpec, reporter: Reporter): Promise<void>;
  /**
   * spec.replica.target: a standby leader's PostgreSQL restarted (Patroni paused) in targeted
   * recovery, promoting itself at a time. Absent: the platform cannot promote to a time.
   */
  targetPromotion?(spec: ClusterSpec): TargetPromotion;
}

export interface TargetPromotion {
  /** Stops the member's PostgreSQL and starts it again replaying up to the target, then promoting. */
  restart(member: string, target: { time: string; exclusive: boolean }): Promise<TargetRecovery>;
  /** After a failure: the member is a standby again (for Patroni to start once resumed). */
  backToStandby(member: string): void;
}

export interface TargetRecovery {
  /** Why PostgreSQL stopped during it (e.g. the archive ended before the time); undefined while it runs. */
  failure(): string | undefined;
}
