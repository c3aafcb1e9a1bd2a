/**
 * PostgreSQL parameters, layered defaults -> user -> mandatory. Keys pgcluster owns are refused by
 * the spec rules; the mandatory layer wins regardless, so a refused key can never slip through.
 */
import type { ClusterSpec } from '../spec/cluster';
import { oneLine } from './sorted';
import { archiveCommand } from './pgbackrest';
import { monitoringParameters, preloadLibraries } from './monitoring';

export type ParameterValue = string | number | boolean;

/** Sensible defaults a user may override. */
export function defaultParameters(): Record<string, ParameterValue> {
  return {
    max_connections: 100,
    shared_buffers: '128MB',
    max_wal_size: '1GB',
    wal_keep_size: '512MB',
    // After a failover a replica may try to stream before the new primary has created its slot;
    // PostgreSQL's 5 s default retry delay then adds 5 s to every failover and switchover.
    wal_retrieve_retry_interval: '250ms',
    password_encryption: 'scram-sha-256',
    logging_collector: 'on',
    log_filename: 'postgresql-%a.log',
    log_truncate_on_rotation: 'on',
    log_rotation_age: '1d',
    log_line_prefix: '%m [%p] %q%u@%d ',
    log_checkpoints: 'on',
    log_lock_waits: 'on',
    track_io_timing: 'on',
  };
}

/**
 * What replication, failover, pg_rewind and the archive depend on. archive_command takes its
 * pgBackRest configuration from PGBACKREST_CONFIG in each member's environment, so the same
 * command serves every member (and lives in the DCS).
 */
export function mandatoryParameters(spec: ClusterSpec): Record<string, ParameterValue> {
  const senders = Math.max(10, spec.instances * 2 + 2);
  // cluster_name is Patroni's: it sets it to the scope (spec.name) and refuses a configured one.
  return {
    archive_mode: spec.backup ? 'on' : 'off',
    ...(spec.backup ? { archive_command: archiveCommand(spec.name) } : {}),
    wal_level: 'replica',
    hot_standby: 'on',
    wal_log_hints: 'on',
    max_wal_senders: senders,
    max_replication_slots: senders,
  };
}

/** The cluster-wide parameters, sorted by name, values on one line. */
export function renderParameters(spec: ClusterSpec): Record<string, string> {
  // PostgreSQL parameter names are case-insensitive: layer them by their lowercase name.
  const lower = (params: Record<string, ParameterValue>) =>
    Object.fromEntries(Object.entries(params).map(([k, v]) => [k.toLowerCase(), v]));
  const user = lower(spec.parameters);
  const layered: Record<string, ParameterValue> = {
    ...defaultParameters(),
    ...monitoringParameters(spec),
    ...user,
    ...mandatoryParameters(spec),
    shared_preload_libraries: preloadLibraries(spec, user.shared_preload_libraries),
  };
  delete layered.cluster_name; // Patroni's: it sets the scope and refuses another value
  const out: Record<string, string> = {};
  for (const key of Object.keys(layered).sort()) {
    const value = layered[key] as ParameterValue;
    out[key] = typeof value === 'boolean' ? (value ? 'on' : 'off') : oneLine(String(value));
  }
  return out;
}
