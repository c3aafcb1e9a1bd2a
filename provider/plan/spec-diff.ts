/**
 * What a spec change means before it is applied: which fields change, which PostgreSQL parameters
 * need a restart, and which fields cannot change at all for an existing cluster. Pure; feeds the
 * preview (`pulumi preview --diff`) and the local platform's preflight.
 */
import type { ClusterSpec } from '../spec/cluster';

/** Parameters PostgreSQL 15 applies only at server start (pg_settings.context = 'postmaster'). */
export const POSTMASTER_PARAMETERS: ReadonlySet<string> = new Set(
  (
    'archive_mode autovacuum_freeze_max_age autovacuum_max_workers autovacuum_multixact_freeze_max_age bonjour ' +
    'bonjour_name cluster_name data_directory data_sync_retry dynamic_shared_memory_type event_source ' +
    'external_pid_file hba_file hot_standby huge_page_size huge_pages ident_file jit_provider listen_addresses ' +
    'logging_collector max_connections max_files_per_process max_locks_per_transaction ' +
    'max_logical_replication_workers max_pred_locks_per_transaction max_prepared_transactions ' +
    'max_replication_slots max_wal_senders max_worker_processes min_dynamic_shared_memory old_snapshot_threshold ' +
    'port recovery_target recovery_target_action recovery_target_inclusive recovery_target_lsn ' +
    'recovery_target_name recovery_target_time recovery_target_timeline recovery_target_xid shared_buffers ' +
    'shared_memory_type shared_preload_libraries superuser_reserved_connections track_activity_query_size ' +
    'track_commit_timestamp unix_socket_directories unix_socket_group unix_socket_permissions wal_buffers ' +
    'wal_decode_buffer_size wal_level wal_log_hints'
  ).split(' '),
);

/** Fields fixed at creation: changing one means a new cluster, which pgcluster never does implicitly. */
export const FIXED_FIELDS: ReadonlyArray<{ path: string; get: (s: ClusterSpec) => unknown }> = [
  { path: 'name', get: (s) => s.name },
  { path: 'postgresVersion', get: (s) => s.postgresVersion },
  { path: 'bootstrap', get: (s) => s.bootstrap },
  { path: 'platform.local.basePort', get: (s) => s.platform.local?.basePort },
  { path: 'platform.kubernetes.namespace', get: (s) => s.platform.kubernetes?.namespace },
];

export interface SpecChange {
  /** Changed leaf paths, e.g. `instances`, `parameters.work_mem`, `ha.ttl`. */
  changed: string[];
  /** Changed or removed parameters that restart PostgreSQL. */
  restartParameters: string[];
  /** Fixed fields that differ, with old and new values. */
  fixed: Array<{ path: string; from: unknown; to: unknown }>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function leafDiff(a: unknown, b: unknown, path: string, out: string[]): void {
  const isObj = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
      leafDiff(a[key], b[key], path ? `${path}.${key}` : key, out);
  } else if (!same(a, b)) out.push(path);
}

export function diffSpecs(before: ClusterSpec, after: ClusterSpec): SpecChange {
  const changed: string[] = [];
  leafDiff(before, after, '', changed);
  const restartParameters = changed
    .filter((p) => p.startsWith('parameters.'))
    .map((p) => p.slice('parameters.'.length).toLowerCase())
    .filter((p) => POSTMASTER_PARAMETERS.has(p));
  const fixed = FIXED_FIELDS.filter((f) => !same(f.get(before), f.get(after))).map((f) => ({
    path: f.path,
    from: f.get(before),
    to: f.get(after),
  }));
  return { changed, restartParameters, fixed };
}
