/**
 * The Grafana dashboard shipped in the package (dashboards/pgcluster.json): one panel per concern
 * of the exporters' series (Patroni roles, replication lag per member, WAL, archiving, connections,
 * locks, bloat, the pooler's clients and queries). Pure: `npm run dashboard` writes the file and a
 * unit test keeps it equal to this output and every metric it uses to one pgcluster exports.
 */

interface Panel {
  title: string;
  unit: string;
  targets: Array<{ expr: string; legend: string }>;
}

const PANELS: Panel[] = [
  {
    title: 'Primary (1) per member',
    unit: 'none',
    targets: [{ expr: 'patroni_primary', legend: '{{name}}' }],
  },
  {
    title: 'Replication lag (bytes)',
    unit: 'bytes',
    targets: [{ expr: 'pgcluster_replication_lag_bytes', legend: '{{member}} ({{sync_state}})' }],
  },
  {
    title: 'Replication lag (seconds)',
    unit: 's',
    targets: [{ expr: 'pgcluster_replication_lag_seconds', legend: '{{member}}' }],
  },
  {
    title: 'WAL written / replayed',
    unit: 'Bps',
    targets: [{ expr: 'rate(pgcluster_wal_position_bytes[5m])', legend: '{{instance}}' }],
  },
  {
    title: 'Archiving',
    unit: 'none',
    targets: [
      { expr: 'pgcluster_archiver_failing', legend: 'failing {{instance}}' },
      { expr: 'rate(pgcluster_archiver_failed_count[5m])', legend: 'failures/s {{instance}}' },
      {
        expr: 'pgcluster_archiver_last_archived_age_seconds',
        legend: 'age of last archived (s) {{instance}}',
      },
    ],
  },
  {
    title: 'Connections by state',
    unit: 'none',
    targets: [
      { expr: 'pgcluster_connections_count', legend: '{{state}} {{instance}}' },
      { expr: 'max by (instance) (pgcluster_connections_max)', legend: 'max_connections {{instance}}' },
    ],
  },
  {
    title: 'Locks waited for',
    unit: 'none',
    targets: [
      {
        expr: 'sum by (instance, mode) (pgcluster_locks_count{granted="false"})',
        legend: '{{mode}} {{instance}}',
      },
    ],
  },
  {
    title: 'Dead tuples (bloat), top 10 tables',
    unit: 'none',
    targets: [
      { expr: 'topk(10, pgcluster_bloat_dead_tuples)', legend: '{{datname}}.{{schemaname}}.{{relname}}' },
    ],
  },
  {
    title: 'Pooler clients',
    unit: 'none',
    targets: [
      {
        expr: 'sum by (database) (pgbouncer_pools_client_active_connections)',
        legend: 'active {{database}}',
      },
      {
        expr: 'sum by (database) (pgbouncer_pools_client_waiting_connections)',
        legend: 'waiting {{database}}',
      },
    ],
  },
  {
    title: 'Pooler queries/s',
    unit: 'ops',
    targets: [{ expr: 'rate(pgbouncer_stats_queries_pooled_total[5m])', legend: '{{database}}' }],
  },
];

/** The metric names the dashboard reads (for the test that they are all exported). */
export function dashboardMetrics(): string[] {
  const names = PANELS.flatMap((p) =>
    p.targets.flatMap((t) => t.expr.match(/\b(patroni|pgcluster|pgbouncer)_[a-z_]+/g) ?? []),
  );
  return [...new Set(names)].sort();
}

export function renderDashboard(): Record<string, unknown> {
  return {
    title: 'pgcluster',
    uid: 'pgcluster',
    tags: ['postgresql', 'pgcluster'],
    schemaVersion: 39,
    time: { from: 'now-1h', to: 'now' },
    refresh: '30s',
    templating: {
      list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus' }],
    },
    panels: PANELS.map((p, i) => ({
      id: i + 1,
      type: 'timeseries',
      title: p.title,
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      targets: p.targets.map((t, j) => ({
        refId: String.fromCharCode(65 + j),
        expr: t.expr,
        legendFormat: t.legend,
      })),
    })),
  };
}

export function renderDashboardJson(): string {
  return `${JSON.stringify(renderDashboard(), null, 2)}\n`;
}
