import { z } from 'zod';

/** PgBouncer pods on Kubernetes when pooler.instances is absent: one can go while the other serves. */
export const DEFAULT_POOLER_INSTANCES = 2;
/** Seconds a planned switchover waits, at PAUSE, for the transactions running through the pooler. */
export const DEFAULT_PAUSE_TIMEOUT_S = 10;

export const poolerSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Run a PgBouncer in front of the primary. @default - true'),
    poolMode: z
      .enum(['session', 'transaction', 'statement'])
      .default('session')
      .describe('PgBouncer pool_mode. @default - session'),
    maxClientConn: z.int().min(1).default(1000).describe('PgBouncer max_client_conn. @default - 1000'),
    defaultPoolSize: z.int().min(1).default(20).describe('PgBouncer default_pool_size. @default - 20'),
    instances: z
      .int()
      .min(1)
      .optional()
      .describe(
        'PgBouncer pods on platform.kubernetes, spread over nodes and covered by their own ' +
          `PodDisruptionBudget. @default - ${DEFAULT_POOLER_INSTANCES}. platform.local runs one PgBouncer ` +
          'process: only 1 is allowed there.',
      ),
    pauseTimeout: z
      .int()
      .min(1)
      .max(3600)
      .default(DEFAULT_PAUSE_TIMEOUT_S)
      .describe(
        'Seconds a planned switchover (and a rolling restart) waits, with PgBouncer PAUSEd, for the ' +
          'transactions running through it to finish before the primary is demoted. New transactions ' +
          'wait meanwhile and run on the new primary once PgBouncer RESUMEs, so clients see latency, ' +
          'not errors. A transaction still running after this long is cut by the demotion. ' +
          `@default - ${DEFAULT_PAUSE_TIMEOUT_S}`,
      ),
    carrySessions: z
      .boolean()
      .default(true)
      .describe(
        'poolMode session only. true: during a planned switchover each client is moved to the new ' +
          'primary at its next transaction boundary instead of being disconnected (PgBouncer pools its ' +
          'server connection per transaction for that moment). Its server session ends either way: ' +
          'values it SET, its prepared statements and temporary tables do not follow it; the startup ' +
          'parameters PgBouncer tracks (client_encoding, DateStyle, TimeZone, application_name, ...) do. ' +
          'false: session clients are disconnected when the old primary stops. @default - true',
      ),
    parameters: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .describe(
        'Extra [pgbouncer] settings. Keys pgcluster owns (listen_addr, listen_port, auth_type, ' +
          'auth_file, admin_users, ...) are refused. @default - {}',
      ),
  })
  .describe('Connection pooler (PgBouncer) that follows the primary through failovers and switchovers.');

export type PoolerSpec = z.output<typeof poolerSchema>;
