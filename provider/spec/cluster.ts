/**
 * The cluster spec: the single source of truth for what a PostgresCluster declares.
 * Every field is documented once, here, in `.describe()`; TypeScript types, defaults,
 * validation messages and schema.json derive from these schemas.
 */
import { z } from 'zod';
import { haSchema } from './ha';
import { backupSchema } from './backup';
import { bootstrapSchema } from './bootstrap';
import { platformSchema } from './platform';
import { poolerSchema } from './pooler';
import { replicaSchema } from './replica';
import { tlsSchema } from './tls';
import { monitoringSchema } from './monitoring';
import { roleSchema } from './roles';
import { databaseSchema } from './databases';
import { grantSchema } from './grants';
import { resourcesSchema, schedulingSchema, storageSchema } from './kubernetes';

export const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_NAME_LENGTH = 50;
export const POSTGRES_VERSIONS = [13, 14, 15, 16, 17] as const;
export const PRIMARY_UPDATE_STRATEGIES = ['unsupervised', 'supervised'] as const;

const parameterValue = z.union([z.string(), z.number(), z.boolean()]);

export const SYNCHRONOUS_METHODS = ['first', 'any'] as const;
/** Chosen by measurement (bench/ha.bench.ts, docs/benchmarks.md). */
export const DEFAULT_SYNCHRONOUS_METHOD = 'any';
const SYNCHRONOUS_METHOD_REASON =
  'measured: commits never stall when a replica is lost, and pgbench -N commit latency is no higher than with first';

export const synchronousSchema = z
  .strictObject({
    number: z
      .int()
      .min(1)
      .default(1)
      .describe('How many replicas must confirm each commit. @default - 1. Must be < instances.'),
    dataDurability: z
      .enum(['required', 'preferred'])
      .default('required')
      .describe(
        '`required`: commits wait for `number` synchronous replicas even when none is available ' +
          "(Patroni's strict synchronous mode: no acknowledged write is ever lost). `preferred`: " +
          'fall back to asynchronous replication while no replica is available. @default - required',
      ),
    method: z
      .enum(SYNCHRONOUS_METHODS)
      .default(DEFAULT_SYNCHRONOUS_METHOD)
      .describe(
        "`any`: quorum commit (Patroni's `synchronous_mode: quorum`, PostgreSQL's `ANY number (all replicas)`): " +
          'a commit waits for whichever `number` replicas confirm first, so losing any one replica never ' +
          'stalls commits, and a failover may promote any replica of the quorum (Patroni checks it has the ' +
          'latest commit). `first`: `number` named synchronous standbys (`FIRST`); when one is lost, ' +
          'commits wait until Patroni names another (about one loopWait). ' +
          `@default - ${DEFAULT_SYNCHRONOUS_METHOD}, ${SYNCHRONOUS_METHOD_REASON}`,
      ),
  })
  .describe(
    "Synchronous replication (Patroni's synchronous mode). Absent: asynchronous replication, " +
      'where a failover may lose the last acknowledged writes.',
  );

export const clusterSpecSchema = z
  .strictObject({
    name: z
      .string()
      .describe(
        'Cluster name: a DNS-1035 label (lowercase letters, digits and "-", starting with a letter) ' +
          'of at most 50 characters. Members are named `<name>-1`, `<name>-2`, ...',
      ),
    instances: z
      .int()
      .min(1)
      .default(3)
      .describe('Number of PostgreSQL members. @default - 3, one primary and two replicas'),
    postgresVersion: z
      .int()
      .default(15)
      .describe(
        `PostgreSQL major version, one of ${POSTGRES_VERSIONS.join(', ')}. The local platform needs ` +
          'its server binaries installed. @default - 15',
      ),
    platform: platformSchema.prefault({ local: {} }),
    parameters: z
      .record(z.string(), parameterValue)
      .default({})
      .describe(
        "PostgreSQL parameters (postgresql.conf), applied through Patroni's dynamic configuration: " +
          'a change reloads PostgreSQL, and restarts members only when PostgreSQL needs it. Keys that ' +
          'pgcluster owns (port, listen_addresses, wal_level, hot_standby, ...) are refused. @default - {}',
      ),
    pgHba: z
      .array(z.string())
      .default([])
      .describe(
        'Extra pg_hba.conf lines, placed after the rules pgcluster needs (local superuser, replication) ' +
          'and before the final password rule. @default - []',
      ),
    synchronous: synchronousSchema.optional(),
    ha: haSchema.prefault({}),
    bootstrap: bootstrapSchema.prefault({ initdb: {} }),
    pooler: poolerSchema.prefault({}),
    primary: z
      .string()
      .optional()
      .describe(
        'Desired primary member (e.g. `orders-2`). When it differs from the current primary, ' +
          '`up` performs a planned switchover to it. Absent: whichever member Patroni elected.',
      ),
    storage: storageSchema.optional(),
    resources: resourcesSchema.optional(),
    roles: z
      .array(roleSchema.meta({ id: 'ClusterRole' }))
      .default([])
      .describe('Roles pgcluster creates and keeps exactly as declared (see each field). @default - []'),
    databases: z
      .array(databaseSchema.meta({ id: 'ClusterDatabase' }))
      .default([])
      .describe(
        'Databases pgcluster creates and keeps as declared; one leaving the spec is kept unless its ' +
          'reclaimPolicy is delete. @default - []',
      ),
    grants: z
      .array(grantSchema.meta({ id: 'ClusterGrant' }))
      .default([])
      .describe(
        'Privileges of roles on databases, schemas, the tables/sequences/functions of a schema, and ' +
          'default privileges; exact per role and target. Applied after roles and databases. @default - []',
      ),
    // Named apart from the Backup resource (and Role, Database, Grant below): the SDKs need distinct names.
    backup: backupSchema.meta({ id: 'ClusterBackup' }).optional(),
    monitoring: monitoringSchema.optional(),
    replica: replicaSchema.optional(),
    fenced: z
      .array(z.string())
      .default([])
      .describe(
        'Members to fence, e.g. `[orders-3]`: PostgreSQL (and its Patroni) is stopped on each, so it ' +
          'accepts no connection and cannot be promoted, while its data and identity are kept. A fenced ' +
          'primary is first switched away from (through the pooler, as `primary` does). Taking a member ' +
          'out of the list starts it again; it rejoins as a replica. Also `pgcluster fence|unfence`. ' +
          'At least synchronous.number + 1 members must stay unfenced. On Kubernetes the pod and its ' +
          'claim are kept (not Ready while fenced). @default - []',
      ),
    hibernate: z
      .boolean()
      .default(false)
      .describe(
        'true: every member, the pooler, etcd and the keeper are stopped; data, configuration and identity ' +
          'are kept, and no process is left. false again resumes the cluster on the same ' +
          'data. On Kubernetes the StatefulSet and the pooler scale to no pod while their volume claims, ' +
          'Secrets and Services stay, and the backup CronJobs are suspended. Also `pgcluster hibernate ' +
          'NAME on|off` (local platform). @default - false',
      ),
    maintenance: z
      .boolean()
      .default(false)
      .describe(
        "true: Patroni is paused (its dynamic configuration's `pause`): no automatic failover and no " +
          'restart of a stopped PostgreSQL, while PostgreSQL keeps serving. For work on the hosts that ' +
          'must not trigger a failover. Also `pgcluster maintenance NAME on|off`. @default - false',
      ),
    removedMemberData: z
      .enum(['keep', 'delete'])
      .default('keep')
      .describe(
        'What happens to the data of a member that lowering `instances` removes (never the primary). ' +
          '`keep`: its directory is moved aside (local: `<state dir>/<name>/removed/<member>-<time>`), so ' +
          'nothing is lost by a typo; a later scale-up starts that slot afresh from a basebackup; Kubernetes: ' +
          'the volume claims stay. `delete`: removed with the member (Kubernetes: the StatefulSet deletes its ' +
          'claims, `persistentVolumeClaimRetentionPolicy.whenScaled: Delete`, never while hibernated). @default - keep',
      ),
    primaryUpdateStrategy: z
      .enum(PRIMARY_UPDATE_STRATEGIES)
      .default('unsupervised')
      .describe(
        'How a rolling restart (a parameter that needs one, `pgcluster restart`) treats the primary once ' +
          'every replica is restarted and streaming again. `unsupervised`: switch over (through the ' +
          'pooler, clients wait instead of failing), then restart the old primary if it still needs it. ' +
          '`supervised`: stop before the primary and say how to go on (`pgcluster switchover` or ' +
          '`pgcluster restart NAME MEMBER`). @default - unsupervised',
      ),
    scheduling: schedulingSchema.optional(),
    tls: tlsSchema.prefault({}),
  })
  .describe('A highly available PostgreSQL cluster: one primary and N-1 streaming replicas.');

/** The spec as a user writes it (defaults optional). */
export type ClusterSpecInput = z.input<typeof clusterSpecSchema>;
/** The spec after validation, with every default filled in. */
export type ClusterSpec = z.output<typeof clusterSpecSchema>;
export type SynchronousSpec = z.output<typeof synchronousSchema>;
