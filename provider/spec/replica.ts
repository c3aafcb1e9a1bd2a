/**
 * `replica`: this cluster as a replica cluster (a Patroni standby cluster) of another one, and the
 * group of clusters it belongs to, which names its primary cluster (CloudNativePG's
 * `replica.primary`). Every field is documented once, here.
 */
import { z } from 'zod';
import { s3Schema } from './backup';
import { SSL_MODES } from './bootstrap';
import { secretRefSchema } from './secret-ref';

export const REPLICA_VIA = ['streaming', 'archive', 'both'] as const;

export const replicaArchiveSchema = z
  .strictObject({
    s3: s3Schema.describe("The source's pgBackRest repository in S3 (bucket and path required)."),
    stanza: z.string().describe("The stanza in that repository: usually the source cluster's name."),
    encryption: z
      .strictObject({
        passphrase: secretRefSchema("the source repository's encryption passphrase", 'Read, never stored.'),
      })
      .optional()
      .describe('The encryption of that repository, if it has one.'),
  })
  .describe("The source's WAL archive (pgBackRest), read by restore_command; never written.");

export const replicaSourceSchema = z
  .strictObject({
    cluster: z
      .string()
      .optional()
      .describe(
        'A cluster this tool manages, in the same state dir (platform.local): its state gives the ' +
          'address of its current leader, the replication credentials and, with backup, its archive.',
      ),
    host: z.string().optional().describe('An external primary (not managed here): its host name or address.'),
    port: z.int().min(1).max(65535).default(5432).describe('Its port (with host). @default - 5432'),
    user: z
      .string()
      .default('replicator')
      .describe(
        'The role this cluster streams from the source as, and its members cascade as: one with ' +
          'REPLICATION and LOGIN on the external primary (with host); on platform.kubernetes, replicator ' +
          'or a dedicated role the source cluster declares in its roles with login and replication (its ' +
          'client certificate is made for it under tls). @default - replicator',
      ),
    password: secretRefSchema(
      "that role's password",
      'It goes to Patroni only through its 0600 configuration and pgpass file, never an argument.',
    )
      .optional()
      .describe("Where that role's password is read (with host)."),
    sslMode: z
      .enum(SSL_MODES)
      .default('prefer')
      .describe("libpq's sslmode for the replication connection (with host). @default - prefer"),
    caFile: z
      .string()
      .optional()
      .describe(
        "platform.local (with host): a PEM file of the CA that signed the external primary's server " +
          "certificate, for sslMode verify-ca or verify-full (relative to the spec file's directory). " +
          "Patroni verifies the source with it and this cluster's own members with its own CA.",
      ),
    archive: replicaArchiveSchema.optional(),
    secret: z
      .string()
      .optional()
      .describe(
        "platform.kubernetes (with host): a Secret of this cluster's namespace holding the source's " +
          'credentials, `replication-password` (of source.user; empty when it logs in by certificate) and ' +
          "`rewind-password` (a program writes it from the source cluster's outputs, e.g. through a second " +
          "provider). A replica cluster is a physical copy of its source's catalog: its members log in to " +
          'each other with these. The pods read them through secretKeyRef; never a process argument or a ' +
          "log. No superuser password: the replica cluster's superuser logs in over the pods' sockets by " +
          'peer, and over TCP (the deployer, the CLI) with its own client certificate of the group CA.',
      ),
  })
  .describe(
    'What this cluster replicates from: exactly one of cluster (platform.local), or host (an external ' +
      "primary, or on platform.kubernetes the source cluster's `<name>-rw.<namespace>.svc`).",
  );

export const replicaSchema = z
  .strictObject({
    source: replicaSourceSchema,
    via: z
      .enum(REPLICA_VIA)
      .default('streaming')
      .describe(
        '`streaming`: the standby leader streams WAL from the source (pg_basebackup to start). `archive`: ' +
          "it restores WAL from the source's pgBackRest archive only (restore_command; a restore of the " +
          "source's latest backup to start), so it lags by up to an archived segment. `both`: streams, " +
          'and falls back on the archive when the stream is behind or broken. @default - streaming',
      ),
    primary: z
      .string()
      .optional()
      .describe(
        'The primary cluster of the group this cluster belongs to: the same value in the spec of every ' +
          'cluster of the group. This cluster is a replica cluster unless it is named here. Changing it ' +
          'is a planned switch: the old primary cluster is demoted cleanly and its last LSN recorded, the ' +
          'new one is promoted once it has replayed up to it, and the old one follows the new one (no ' +
          're-clone). Absent: this cluster is a replica cluster of source.',
      ),
    applyDelay: z
      .string()
      .optional()
      .describe(
        'A delayed replica cluster: its standby leader replays each commit only this long after the ' +
          "source made it (PostgreSQL's recovery_min_apply_delay, through Patroni's standby_cluster), " +
          'e.g. 30s, 15min, 1h; its cascading replicas follow the standby leader, so they are as far ' +
          'behind. Switched on by up once every member runs (a new member restored from a backup must ' +
          'reach consistency first). It keeps the window in which a promotion to a time (target.time) ' +
          'can leave out a mistake on the source. Absent: no delay.',
      ),
    target: z
      .strictObject({
        time: z
          .string()
          .describe(
            'Replay up to this moment (ISO 8601 with a time zone, e.g. 2026-12-01T10:00:00Z) and promote there: ' +
              'the source commits made up to it are kept, those after it are left out.',
          ),
        exclusive: z
          .boolean()
          .default(false)
          .describe('Leave out a commit made exactly at target.time too. @default - false'),
      })
      .optional()
      .describe(
        'A promotion of this delayed replica cluster (applyDelay, via archive) to a time: with ' +
          'primary naming this cluster, its standby leader replays the source archive up to ' +
          'target.time and becomes a primary there, its replicas follow it, and the source is not ' +
          'touched (this cluster leaves the group: a copy of the source as of that time). Refused before ' +
          'anything changes when the time is in the future or before what this cluster has already ' +
          'replayed; when the archive ends before it, the cluster stays a replica cluster, unchanged. ' +
          'Absent: a promotion replays everything it has.',
      ),
    force: z
      .boolean()
      .default(false)
      .describe(
        'Promote even when the source cannot say how far behind this cluster is (an unplanned ' +
          'promotion, the source site gone): writes not yet received are lost. @default - false',
      ),
  })
  .describe(
    "Run as a replica cluster of another cluster (Patroni's standby cluster): its standby leader " +
      'follows the source, its other members cascade from it, and it is read-only (roles, databases ' +
      'and grants come from the source). platform.kubernetes: by streaming from source.host, promoted ' +
      'by primary naming this cluster with force.',
  );

export type ReplicaSpec = z.output<typeof replicaSchema>;
export type ReplicaSource = z.output<typeof replicaSourceSchema>;

/** A replica cluster on Kubernetes (replica declared, promoted or not: its catalog is its source's copy). */
export function kubernetesReplica(spec: {
  platform: { kubernetes?: unknown };
  replica?: ReplicaSpec | undefined;
}): boolean {
  return spec.platform.kubernetes !== undefined && spec.replica !== undefined;
}

/** True when the spec asks this cluster to be a replica cluster now (not the group's primary). */
export function isReplicaCluster(spec: { name: string; replica?: ReplicaSpec | undefined }): boolean {
  return spec.replica !== undefined && spec.replica.primary !== spec.name;
}
