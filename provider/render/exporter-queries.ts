/**
 * pgcluster's query set for postgres_exporter (its --extend.query-path YAML): replication lag per
 * member, WAL position, archiving, connections by state, locks by mode, and a bloat estimate (dead
 * tuples of the most bloated tables). Every query runs on a primary and a standby alike. Pure.
 */
import YAML from 'yaml';

interface Metric {
  usage: 'LABEL' | 'GAUGE' | 'COUNTER';
  description: string;
}

interface QuerySpec {
  query: string;
  metrics: Array<Record<string, Metric>>;
}

const label = (description: string): Metric => ({ usage: 'LABEL', description });
const gauge = (description: string): Metric => ({ usage: 'GAUGE', description });
const counter = (description: string): Metric => ({ usage: 'COUNTER', description });

/** The metric names pgcluster's dashboard and tests rely on, prefix `pgcluster_`. */
export const EXPORTER_QUERIES: Record<string, QuerySpec> = {
  pgcluster_replication: {
    query:
      'select application_name as member, state, sync_state, ' +
      'coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::float8 as lag_bytes, ' +
      'coalesce(extract(epoch from replay_lag), 0)::float8 as lag_seconds ' +
      'from pg_stat_replication where not pg_is_in_recovery()',
    metrics: [
      { member: label('the replica (Patroni member name)') },
      { state: label('walsender state') },
      { sync_state: label('async, sync, quorum or potential') },
      { lag_bytes: gauge('bytes of WAL the replica has still to replay') },
      { lag_seconds: gauge('replay lag in seconds') },
    ],
  },
  pgcluster_wal: {
    query:
      'select case when pg_is_in_recovery() then 1 else 0 end::float8 as in_recovery, ' +
      "pg_wal_lsn_diff(case when pg_is_in_recovery() then coalesce(pg_last_wal_replay_lsn(), '0/0') " +
      "else pg_current_wal_lsn() end, '0/0')::float8 as position_bytes",
    metrics: [
      { in_recovery: gauge('1 on a replica, 0 on the primary') },
      { position_bytes: gauge('WAL position: written (primary) or replayed (replica), in bytes') },
    ],
  },
  pgcluster_archiver: {
    query:
      'select archived_count::float8 as archived_count, failed_count::float8 as failed_count, ' +
      'coalesce(extract(epoch from now() - last_archived_time), -1)::float8 as last_archived_age_seconds, ' +
      'case when last_failed_time is not null and (last_archived_time is null or last_failed_time > last_archived_time) then 1 else 0 end::float8 as failing, ' +
      "(select setting from pg_settings where name = 'archive_mode') as archive_mode " +
      'from pg_stat_archiver',
    metrics: [
      { archive_mode: label('archive_mode') },
      { archived_count: counter('WAL files archived') },
      { failed_count: counter('failed attempts to archive a WAL file') },
      { last_archived_age_seconds: gauge('seconds since the last WAL file was archived; -1 never') },
      { failing: gauge('1 when the last archive attempt failed') },
    ],
  },
  pgcluster_connections: {
    query:
      "select coalesce(state, 'background') as state, count(*)::float8 as count, " +
      "(select setting::float8 from pg_settings where name = 'max_connections') as max " +
      'from pg_stat_activity group by 1',
    metrics: [
      { state: label('backend state') },
      { count: gauge('backends in this state') },
      { max: gauge('max_connections') },
    ],
  },
  pgcluster_locks: {
    query:
      'select mode, granted::text as granted, count(*)::float8 as count from pg_locks group by mode, granted',
    metrics: [
      { mode: label('lock mode') },
      { granted: label('true: held, false: waited for') },
      { count: gauge('locks') },
    ],
  },
  pgcluster_bloat: {
    query:
      'select current_database() as datname, schemaname, relname, n_dead_tup::float8 as dead_tuples, ' +
      'case when n_live_tup + n_dead_tup = 0 then 0 else n_dead_tup::float8 / (n_live_tup + n_dead_tup) end as dead_ratio ' +
      'from pg_stat_user_tables order by n_dead_tup desc limit 20',
    metrics: [
      { datname: label('database') },
      { schemaname: label('schema') },
      { relname: label('table') },
      { dead_tuples: gauge('dead tuples (bloat until vacuumed)') },
      { dead_ratio: gauge('dead / (live + dead) tuples') },
    ],
  },
};

export function renderExporterQueries(): string {
  return YAML.stringify(EXPORTER_QUERIES, { lineWidth: 0 });
}
