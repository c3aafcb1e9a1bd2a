import { z } from 'zod';
import { notYetSupported } from './later';

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

export const bootstrapSchema = z
  .strictObject({
    initdb: initdbSchema.optional(),
    pgBasebackup: notYetSupported('Clone an existing server with pg_basebackup (`source`).'),
    recovery: notYetSupported('Restore from a backup to a point in time (`source`, `target`).'),
  })
  .describe(
    'How the first member gets its data: exactly one of initdb, pgBasebackup, recovery. @default - {initdb: {}}',
  );

export type InitdbSpec = z.output<typeof initdbSchema>;
