/**
 * `backup`: the WAL archive and backups with pgBackRest, in an S3 bucket (any S3-compatible
 * endpoint). Every field is documented once, here.
 */
import { z } from 'zod';
import { secretRefSchema } from './secret-ref';

export { BACKUP_TYPES, type BackupType } from './backup-types';
export const COMPRESSIONS = ['lz4', 'zstd', 'gz', 'none'] as const;

/** Weekly full, daily differential: a restore needs at most one full and one differential. */
export const DEFAULT_SCHEDULE = { full: '0 1 * * 0', diff: '0 1 * * 1-6' } as const;

const credentialRef = (what: string) =>
  secretRefSchema(
    what,
    "pgcluster writes it only into the cluster's pgBackRest configuration (0600, the run user's; a " +
      'Kubernetes Secret), never into a process argument or a log.',
  );

export const s3CredentialsSchema = z
  .strictObject({
    accessKeyId: credentialRef('the S3 access key id'),
    secretAccessKey: credentialRef('the S3 secret access key'),
  })
  .describe(
    "Static S3 credentials. Absent on Kubernetes: the pods' own AWS identity (IRSA: the service " +
      "account's role, which the component creates when it creates the bucket).",
  );

export const s3Schema = z
  .strictObject({
    bucket: z
      .string()
      .optional()
      .describe(
        'Bucket holding the archive and the backups. Required by the pgcluster CLI; absent in the ' +
          'PostgresCluster component: the component creates one (versioned, encrypted, private, TLS only).',
      ),
    path: z
      .string()
      .optional()
      .describe(
        'Key prefix in the bucket under which this cluster keeps its archive and backups (one ' +
          'pgBackRest stanza, named after the cluster). @default - /pgcluster/<name>',
      ),
    endpoint: z
      .string()
      .optional()
      .describe(
        'S3 endpoint, `host` or `host:port` (an S3-compatible server such as MinIO). ' +
          '@default - s3.<region>.amazonaws.com',
      ),
    region: z.string().default('us-east-1').describe('S3 region. @default - us-east-1'),
    uriStyle: z
      .enum(['host', 'path'])
      .default('host')
      .describe(
        '`host`: bucket.endpoint/key (AWS); `path`: endpoint/bucket/key (most S3-compatible servers). @default - host',
      ),
    verifyTls: z.boolean().default(true).describe("Verify the endpoint's TLS certificate. @default - true"),
    caFile: z
      .string()
      .optional()
      .describe(
        "PEM file of the certificate authority that signed the endpoint's certificate (a private CA); " +
          "a relative path is relative to the spec file. Absent: the system's trusted CAs.",
      ),
    credentials: s3CredentialsSchema.optional(),
    kmsKeyId: z
      .string()
      .optional()
      .describe(
        'AWS KMS key (id or ARN) for server-side encryption: pgBackRest asks for it on every upload, ' +
          'and a bucket the component creates uses it by default. Absent: AES256 (SSE-S3).',
      ),
    irsa: z
      .strictObject({
        oidcProviderArn: z.string().describe("ARN of the EKS cluster's IAM OIDC provider."),
        oidcProviderUrl: z
          .string()
          .describe(
            'Its issuer URL (https://oidc.eks.<region>.amazonaws.com/id/...); the scheme is optional.',
          ),
      })
      .optional()
      .describe(
        "platform.kubernetes with the PostgresCluster component: an IAM role for the pods' service " +
          "account (IRSA), allowed only this cluster's prefix of the bucket. Absent without credentials: " +
          'the component makes an IAM user with a static key (a Kubernetes Secret) when it creates the bucket.',
      ),
  })
  .describe('The S3 repository of pgBackRest.');

const cron = (what: string) =>
  z
    .string()
    .optional()
    .describe(
      `Cron expression (5 fields, or 6 with seconds; the scheduler's local time) for ${what} backups. Absent: none scheduled.`,
    );

export const backupSchema = z
  .strictObject({
    s3: s3Schema,
    schedule: z
      .strictObject({
        full: cron('full'),
        diff: cron('differential (changes since the last full)'),
        incr: cron('incremental (changes since the last backup of any type)'),
      })
      .default(DEFAULT_SCHEDULE)
      .describe(
        'When backups run, by type (each a cron expression, checked when the spec is parsed). ' +
          'Locally a scheduler that lives with the cluster runs them; on Kubernetes a CronJob per type. ' +
          '`{}`: none scheduled (take them with `pgcluster backup` or a Backup resource). ' +
          `@default - {full: "${DEFAULT_SCHEDULE.full}", diff: "${DEFAULT_SCHEDULE.diff}"}`,
      ),
    retention: z
      .strictObject({
        full: z
          .int()
          .min(1)
          .max(9999999)
          .optional()
          .describe('Keep this many full backups (and what depends on them).'),
        days: z.int().min(1).max(9999999).optional().describe('Keep full backups for this many days.'),
      })
      .default({ full: 2 })
      .describe(
        'How long backups stay, exactly one of full (a count) or days; older ones and the WAL only they ' +
          'need are expired after each backup. @default - {full: 2}',
      ),
    compression: z
      .enum(COMPRESSIONS)
      .default('lz4')
      .describe('Compression of backups and archived WAL. @default - lz4 (fast, light on CPU)'),
    encryption: z
      .strictObject({
        passphrase: secretRefSchema(
          'the repository encryption passphrase',
          'It encrypts every file in the repository (aes-256-cbc); lose it and the backups are lost. ' +
            'Fixed once the archive exists.',
        ),
      })
      .optional()
      .describe(
        "Client-side encryption of the repository. Absent: none (use the bucket's server-side encryption).",
      ),
    processMax: z
      .int()
      .min(1)
      .max(64)
      .default(2)
      .describe('Processes a backup or restore uses to compress and transfer files. @default - 2'),
    fromStandby: z
      .boolean()
      .default(true)
      .describe(
        'Take backups from a replica (files copied from it, only the start and stop on the primary), to ' +
          'spare the primary; with one member, from the primary. @default - true',
      ),
    archiveAsync: z
      .boolean()
      .default(true)
      .describe(
        "Asynchronous WAL archiving (pgBackRest's archive-async with a spool directory): segments are " +
          'pushed in parallel batches, so a slow S3 does not hold up PostgreSQL. @default - true',
      ),
  })
  .describe(
    'Continuous WAL archive and backups with pgBackRest in S3. pgcluster owns archive_mode, ' +
      'archive_command and restore_command. Absent: no archive (replicas then only from the primary).',
  );

export type BackupSpec = z.output<typeof backupSchema>;

/** Static S3 credentials, once read from their references. */
export interface S3Keys {
  accessKeyId: string;
  secretAccessKey: string;
}
export type S3Spec = z.output<typeof s3Schema>;
