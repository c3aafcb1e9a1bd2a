/**
 * Declarative privileges (`grants[]`): on a database, a schema, every table / sequence / function
 * of a schema, or the default privileges of objects a role creates later. Each entry owns the
 * privileges of its role on its target: the target ends up with exactly the listed ones.
 */
import { z } from 'zod';

export const GRANT_TARGETS = ['database', 'schema', 'tables', 'sequences', 'functions'] as const;
export type GrantOn = (typeof GRANT_TARGETS)[number];

/** The privileges each kind of target has (PostgreSQL 15). `ALL` stands for all of them. */
export const PRIVILEGES_ON: Readonly<Record<GrantOn, readonly string[]>> = {
  database: ['CONNECT', 'CREATE', 'TEMPORARY'],
  schema: ['USAGE', 'CREATE'],
  tables: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
  sequences: ['USAGE', 'SELECT', 'UPDATE'],
  functions: ['EXECUTE'],
};

export const PRIVILEGE_NAMES = [
  'ALL',
  ...new Set(Object.values(PRIVILEGES_ON).flat()),
] as readonly string[] as readonly [string, ...string[]];

/** Targets that may carry default privileges (`createdBy`). */
export const DEFAULT_PRIVILEGE_TARGETS: readonly GrantOn[] = ['tables', 'sequences', 'functions'];

export const grantSchema = z
  .strictObject({
    role: z
      .string()
      .describe('Role that receives the privileges (a declared role or an existing one; not PUBLIC).'),
    database: z.string().describe('Database the target lives in (for `on: database`, the target itself).'),
    on: z
      .enum(GRANT_TARGETS)
      .default('database')
      .describe(
        '`database`; `schema` (the schema named by `schema`); `tables`, `sequences`, `functions`: every ' +
          'one of them that exists in `schema` when `up` runs (ALL ... IN SCHEMA; tables include views, ' +
          'materialized views, foreign and partitioned tables; functions exclude procedures). Objects the ' +
          'role owns are skipped: an owner has every privilege. @default - database',
      ),
    schema: z.string().optional().describe('Schema of the target; required unless `on: database`.'),
    privileges: z
      .array(z.enum(PRIVILEGE_NAMES))
      .min(1)
      .describe(
        'Privileges, in capitals: database CONNECT, CREATE, TEMPORARY; schema USAGE, CREATE; tables ' +
          'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER; sequences USAGE, SELECT, UPDATE; ' +
          'functions EXECUTE; or ALL. Exact: other privileges of the role on the target are revoked.',
      ),
    withGrantOption: z
      .boolean()
      .default(false)
      .describe('WITH GRANT OPTION: the role may grant them on. Exact, like privileges. @default - false'),
    createdBy: z
      .string()
      .optional()
      .describe(
        'Makes this entry default privileges instead (ALTER DEFAULT PRIVILEGES FOR ROLE <createdBy> ' +
          'IN SCHEMA <schema>): the privileges objects of kind `on` (tables, sequences or functions) ' +
          'get when this role creates them later. Existing objects need an entry without createdBy.',
      ),
  })
  .describe(
    'Privileges of one role on one target. An entry that leaves the spec has its privileges revoked.',
  );

export type GrantSpec = z.output<typeof grantSchema>;
