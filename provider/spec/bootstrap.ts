import { z } from 'zod';
import { s3Schema } from './backup';
import { secretRefSchema } from './secret-ref';

export const initdbSchema = z
  .strictObject({
    database: z.string().default('app').describe('Application database created at bootstrap. @default - app'),
    owner: z
      .string()
      .default('app')
      .describe(
        'Login role that owns the application database; its generated password is what the ' +
          'pooler and the connection URIs use. @default - app',
      ),
    encoding: z.string().default('UTF8').describe('Server encoding. @default - UTF8'),
    locale: z
      .string()
      .default('C.UTF-8')
      .describe('Locale of the cluster (lc_collate, lc_ctype). @default - C.UTF-8'),
    dataChecksums: z
      .boolean()
      .default(true)
      .describe('Enable data page checksums (needed by pg_rewind without wal_log_hints). @default - true'),
  })
  .describe('Create a new, empty cluster with initdb.');

/** The application database and owner a cloned or restored cluster hands out (its URIs, its pooler). */
const appOwnerFields = (how: string) => ({
  database: z
    .string()
    .default('app')
    .describe(
      `Application database of the ${how} cluster: pgcluster creates it if the source had none. @default - app`,
    ),
  owner: z
    .string()
    .default('app')
    .describe(
      `Login role that owns it, given a new generated password (the source's password for that role, if ` +
        `it had one, no longer works here). @default - app`,
    ),
});

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

export const basebackupSourceSchema = z
  .strictObject({
    host: z.string().describe('Host name or address of the server to clone.'),
    port: z.int().min(1).max(65535).default(5432).describe('Its port. @default - 5432'),
    user: z
      .string()
      .default('postgres')
      .describe('A role with the REPLICATION attribute (and LOGIN) on the source. @default - postgres'),
    password: secretRefSchema(
      "that role's password",
      'It goes to pg_basebackup through a 0600 password file, never an argument, and is not kept after the clone.',
    ).optional(),
    sslMode: z
      .enum(SSL_MODES)
      .default('prefer')
      .describe("libpq's sslmode for the connection. @default - prefer"),
    database: z
      .string()
      .default('postgres')
      .describe(
        'Database to connect to for the checks before the clone (version, privileges). @default - postgres',
      ),
  })
  .describe('The running PostgreSQL server to copy (same major version as postgresVersion).');

export const pgBasebackupSchema = z
  .strictObject({ source: basebackupSourceSchema, ...appOwnerFields('cloned') })
  .describe(
    'Clone an existing PostgreSQL with pg_basebackup: the first member gets a copy of the source (which ' +
      'is not changed), is promoted on its own, and the other members replicate from it.',
  );

export const recoverySourceSchema = z
  .strictObject({
    cluster: z
      .string()
      .optional()
      .describe(
        'A cluster this tool manages with `backup` set: the same state dir (local platform), whose ' +
          'pgBackRest repository is read (never written).',
      ),
    s3: s3Schema.optional().describe('A pgBackRest repository in S3 (bucket and path required).'),
    stanza: z
      .string()
      .optional()
      .describe("The stanza in that repository (with s3): usually the source cluster's name."),
    encryption: z
      .strictObject({
        passphrase: secretRefSchema("the source repository's encryption passphrase", 'Read, never stored.'),
      })
      .optional()
      .describe('The encryption of that repository, if it has one (with s3).'),
  })
  .describe('Where the backups come from: exactly one of cluster, or s3 with stanza.');

export const recoveryTargetSchema = z
  .strictObject({
    time: z
      .string()
      .optional()
      .describe('Recover up to this moment (ISO 8601 with a time zone, e.g. 2026-12-01T10:00:00Z).'),
    lsn: z.string().optional().describe('Recover up to this WAL position (e.g. 0/3000060).'),
    xid: z.string().optional().describe('Recover up to this transaction id (it included).'),
    name: z.string().optional().describe('Recover up to this restore point (pg_create_restore_point).'),
    immediate: z
      .literal(true)
      .optional()
      .describe('Stop as soon as the backup is consistent: the state of the backup alone.'),
    exclusive: z
      .boolean()
      .default(false)
      .describe(
        'With time, lsn or xid: stop just before the target instead of just after it. @default - false',
      ),
  })
  .describe(
    'How far to replay the archive: at most one of time, lsn, xid, name, immediate. Absent: to the end ' +
      'of the archive. The backup used is the latest one before the target.',
  );

export const recoverySchema = z
  .strictObject({
    source: recoverySourceSchema,
    target: recoveryTargetSchema.prefault({}),
    backupSet: z
      .string()
      .optional()
      .describe(
        'The label of the backup to restore (see `pgcluster backups`). Absent: pgBackRest picks the ' +
          'latest backup that ends before a time target, or the latest backup.',
      ),
    ...appOwnerFields('restored'),
  })
  .describe(
    'Restore a backup (pgBackRest) and replay the archive up to a target, then promote on a new ' +
      'timeline. The source repository is only read; this cluster archives to its own (backup.s3).',
  );

export const bootstrapSchema = z
  .strictObject({
    initdb: initdbSchema.optional(),
    pgBasebackup: pgBasebackupSchema.optional(),
    recovery: recoverySchema.optional(),
  })
  .describe(
    'How the first member gets its data: exactly one of initdb, pgBasebackup, recovery. @default - {initdb: {}}',
  );

export type InitdbSpec = z.output<typeof initdbSchema>;
export type BootstrapSpec = z.output<typeof bootstrapSchema>;
export type RecoverySpec = z.output<typeof recoverySchema>;
export type RecoveryTarget = z.output<typeof recoveryTargetSchema>;
export type BasebackupSource = z.output<typeof basebackupSourceSchema>;

export { appOf } from './app';
