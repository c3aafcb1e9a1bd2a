import { z } from 'zod';

export const poolerSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Run a PgBouncer in front of the primary. @default - true'),
    poolMode: z
      .enum(['session', 'transaction', 'statement'])
      .default('session')
      .describe('PgBouncer pool_mode. @default - session'),
    maxClientConn: z.int().min(1).default(1000).describe('PgBouncer max_client_conn. @default - 1000'),
    defaultPoolSize: z.int().min(1).default(20).describe('PgBouncer default_pool_size. @default - 20'),
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
