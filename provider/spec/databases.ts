/**
 * Declarative databases (`databases[]`) with their schemas and extensions. A database is never
 * dropped by accident: only `reclaimPolicy: delete` lets pgcluster drop one.
 */
import { z } from 'zod';
import { ensureSchema } from './roles';

export const RECLAIM_POLICIES = ['retain', 'delete'] as const;

export const extensionSchema = z
  .strictObject({
    name: z.string().describe('Extension name, as in CREATE EXTENSION (its package must be installed).'),
    version: z
      .string()
      .optional()
      .describe(
        "Version to install or update to (ALTER EXTENSION ... UPDATE TO). Absent: the package's " +
          'default version at creation, never updated by pgcluster.',
      ),
    schema: z
      .string()
      .optional()
      .describe(
        'Schema of its objects (moved with SET SCHEMA when it changes, for relocatable extensions). ' +
          'Absent: the first schema of the search path at creation, not managed afterwards.',
      ),
  })
  .describe(
    'An extension created in the database. One that leaves the spec is kept (pgcluster stops managing it).',
  );

export const schemaSchema = z
  .strictObject({
    name: z.string().describe('Schema name, 1 to 63 bytes; pg_* names are reserved by PostgreSQL.'),
    owner: z
      .string()
      .optional()
      .describe("Owning role. @default - the database's owner (when the database declares one)"),
  })
  .describe(
    'A schema created in the database. One that leaves the spec is kept with its objects ' +
      '(pgcluster stops managing it).',
  );

export const databaseSchema = z
  .strictObject({
    name: z
      .string()
      .describe(
        'Database name, any text of 1 to 63 bytes. postgres, template0 and template1 are refused. ' +
          'The bootstrap database may be declared to manage its schemas and extensions; its owner stays bootstrap.initdb.owner.',
      ),
    ensure: ensureSchema,
    reclaimPolicy: z
      .enum(RECLAIM_POLICIES)
      .default('retain')
      .describe(
        'What happens when the database leaves the spec: `retain` keeps it with its data (pgcluster ' +
          'stops managing it, and says so); `delete` drops it. `ensure: absent` needs `delete`. @default - retain',
      ),
    owner: z
      .string()
      .optional()
      .describe(
        'Owning role (ALTER DATABASE ... OWNER TO when it changes). Absent: the role pgcluster connects ' +
          'as owns a new database, and the owner of an existing one is left as it is.',
      ),
    encoding: z
      .string()
      .optional()
      .describe("Character set, set at creation only (e.g. UTF8). Absent: the template's."),
    locale: z
      .string()
      .optional()
      .describe("LC_COLLATE and LC_CTYPE at once, set at creation only. Absent: the template's."),
    lcCollate: z
      .string()
      .optional()
      .describe("Collation order, set at creation only; not with `locale`. Absent: the template's."),
    lcCtype: z
      .string()
      .optional()
      .describe("Character classification, set at creation only; not with `locale`. Absent: the template's."),
    template: z
      .string()
      .optional()
      .describe(
        'Template database, used at creation only. @default - template0 when encoding or a locale is ' +
          'set (template1 may have others), else template1',
      ),
    connectionLimit: z
      .int()
      .min(-1)
      .default(-1)
      .describe('CONNECTION LIMIT: concurrent connections; -1 = no limit. @default - -1'),
    allowConnections: z
      .boolean()
      .default(true)
      .describe(
        'ALLOW_CONNECTIONS: false makes it unreachable (and its contents unmanageable). @default - true',
      ),
    schemas: z.array(schemaSchema).default([]).describe('Schemas to create in it. @default - []'),
    extensions: z.array(extensionSchema).default([]).describe('Extensions to create in it. @default - []'),
  })
  .describe(
    'A database pgcluster manages. Encoding and locales cannot change after creation: a ' +
      'difference is reported as an error, never "fixed" by recreating the database.',
  );

export type DatabaseSpec = z.output<typeof databaseSchema>;
export type SchemaSpec = z.output<typeof schemaSchema>;
export type ExtensionSpec = z.output<typeof extensionSchema>;
