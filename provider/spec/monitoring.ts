/**
 * The `monitoring` key: Prometheus exporters, the PodMonitor, PostgreSQL's JSON log, and the
 * statistics and audit extensions. Every extension renders its parameters and its place in
 * shared_preload_libraries in one place (render/monitoring.ts).
 */
import { z } from 'zod';

export const AUDIT_CLASSES = ['read', 'write', 'function', 'role', 'ddl', 'misc', 'misc_set', 'all'] as const;

export const monitoringSchema = z
  .strictObject({
    exporters: z
      .boolean()
      .default(true)
      .describe(
        "Run postgres_exporter beside every member (with pgcluster's query set: replication lag, WAL, " +
          'archiving, connections, locks, bloat) and a PgBouncer exporter beside the pooler; Patroni ' +
          'serves /metrics on its REST port. Local: processes whose ports `status` shows (member n: ' +
          'basePort+60+n, pooler: basePort+3). Kubernetes: sidecars, port `metrics` (9187 on the ' +
          'members, 9127 on the pooler pods) and Patroni on port `patroni` (8008). @default - true',
      ),
    podMonitor: z
      .boolean()
      .default(false)
      .describe(
        'Kubernetes: a monitoring.coreos.com/v1 PodMonitor `<name>` scraping the members (`metrics` and ' +
          "`patroni` ports) and the pooler (`metrics`); needs the Prometheus Operator's CRD installed. " +
          '@default - false',
      ),
    logFormat: z
      .enum(['text', 'json'])
      .default('text')
      .describe(
        "PostgreSQL's log format: `json` is PostgreSQL's jsonlog, one JSON object a line. @default - text",
      ),
    statements: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Preload pg_stat_statements. @default - true'),
        max: z.int().min(100).default(5000).describe('pg_stat_statements.max. @default - 5000'),
        track: z
          .enum(['top', 'all', 'none'])
          .default('top')
          .describe('pg_stat_statements.track. @default - top'),
      })
      .prefault({})
      .describe(
        'Query statistics (pg_stat_statements; `create extension pg_stat_statements` to query them).',
      ),
    autoExplain: z
      .strictObject({
        minDuration: z
          .union([z.int().min(0), z.string().regex(/^\d+\s*(us|ms|s|min)?$/)])
          .default('1s')
          .describe(
            'auto_explain.log_min_duration: plans of statements slower than this are logged (a number is ' +
              'milliseconds; 0 logs every plan). @default - 1s',
          ),
        analyze: z.boolean().default(false).describe('auto_explain.log_analyze. @default - false'),
      })
      .optional()
      .describe('Log the plans of slow statements (auto_explain). Absent: off.'),
    audit: z
      .strictObject({
        log: z
          .array(z.enum(AUDIT_CLASSES))
          .min(1)
          .default(['ddl', 'role'])
          .describe('pgaudit.log classes. @default - [ddl, role]'),
        logParameter: z.boolean().default(false).describe('pgaudit.log_parameter. @default - false'),
        logRelation: z.boolean().default(false).describe('pgaudit.log_relation. @default - false'),
      })
      .optional()
      .describe("Session audit logging with pgaudit (Debian's postgresql-<version>-pgaudit). Absent: off."),
  })
  .describe(
    'Metrics, logs and statistics. Changing which extensions are preloaded restarts the members ' +
      '(replicas first); every other change is a reload.',
  );

export type MonitoringSpec = z.output<typeof monitoringSchema>;
