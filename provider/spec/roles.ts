/**
 * Declarative roles (`roles[]`). Within a declared role everything is managed: attributes,
 * memberships and comment are made exactly equal to the spec on every `up`.
 */
import { z } from 'zod';

export const ENSURE = ['present', 'absent'] as const;

export const ensureSchema = z
  .enum(ENSURE)
  .default('present')
  .describe(
    '`present`: the object exists as declared. `absent`: it is dropped if it exists. ' +
      'Leaving an entry out of the spec is not the same: see each key. @default - present',
  );

export const passwordRefSchema = z
  .strictObject({
    fromEnv: z
      .string()
      .optional()
      .describe('Name of an environment variable of the `pgcluster` process that holds the password.'),
    fromFile: z
      .string()
      .optional()
      .describe(
        'Path of a file that holds the password (one trailing newline is ignored); a relative path ' +
          'is relative to the spec file.',
      ),
  })
  .describe(
    'Where the password is read at apply time: exactly one of fromEnv, fromFile. The password is ' +
      'never written anywhere by pgcluster: the role gets its SCRAM-SHA-256 verifier (computed ' +
      'here, set with statement logging off) and pgcluster keeps only a salted hash of it, to ' +
      'notice a change. A password changed by hand is not detected.',
  );

export const roleSchema = z
  .strictObject({
    name: z
      .string()
      .describe(
        'Role name, any text of 1 to 63 bytes (quoted, so case, spaces and unicode are kept). ' +
          'Names pgcluster owns (postgres, replicator, rewinder, pgbouncer_admin, the bootstrap owner), ' +
          'PostgreSQL reserves (pg_*, public, none) are refused.',
      ),
    ensure: ensureSchema,
    login: z.boolean().default(false).describe('LOGIN: the role can connect. @default - false'),
    superuser: z.boolean().default(false).describe('SUPERUSER. @default - false'),
    createdb: z.boolean().default(false).describe('CREATEDB: may create databases. @default - false'),
    createrole: z.boolean().default(false).describe('CREATEROLE: may create roles. @default - false'),
    inherit: z
      .boolean()
      .default(true)
      .describe('INHERIT: uses the privileges of the roles it is a member of. @default - true'),
    replication: z.boolean().default(false).describe('REPLICATION: may stream WAL. @default - false'),
    bypassrls: z.boolean().default(false).describe('BYPASSRLS: ignores row-level security. @default - false'),
    connectionLimit: z
      .int()
      .min(-1)
      .default(-1)
      .describe('CONNECTION LIMIT: concurrent connections of a login role; -1 = no limit. @default - -1'),
    validUntil: z
      .string()
      .optional()
      .describe(
        'VALID UNTIL: when the password stops working, an ISO 8601 timestamp with a time zone ' +
          '(`2030-01-01T00:00:00Z`) or `infinity`. Absent: never expires (an expiry set by hand is removed).',
      ),
    password: passwordRefSchema.optional(),
    inRoles: z
      .array(z.string())
      .default([])
      .describe(
        'Roles this role is a member of (GRANT <role> TO <this>), predefined ones such as ' +
          'pg_read_all_data included. Exact: memberships not listed are revoked. @default - []',
      ),
    comment: z
      .string()
      .optional()
      .describe('COMMENT ON ROLE. Absent: no comment (a comment set by hand is removed).'),
  })
  .describe(
    'A role pgcluster manages. A role that leaves the spec is dropped (like `ensure: absent`); ' +
      'a role that owns objects is not dropped: the error names them and how to reassign them.',
  );

export type RoleSpec = z.output<typeof roleSchema>;
export type PasswordRef = z.output<typeof passwordRefSchema>;
