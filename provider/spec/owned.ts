/**
 * Settings pgcluster owns. A user value for one of them would break replication, failover or the
 * way pgcluster reaches the cluster, so the spec refuses them with the reason.
 */
export const OWNED_PARAMETERS: Readonly<Record<string, string>> = {
  port: 'set from platform.local.basePort',
  listen_addresses: 'set by the platform',
  unix_socket_directories: 'set by the platform',
  data_directory: 'set by the platform',
  hba_file: 'rendered from pgHba',
  ident_file: 'set by the platform',
  config_file: 'set by Patroni',
  wal_level: "must stay 'replica' or higher for streaming replication",
  hot_standby: 'must stay on so replicas serve reads',
  max_wal_senders: 'sized from instances',
  max_replication_slots: 'sized from instances',
  wal_log_hints: 'must stay on for pg_rewind',
  synchronous_standby_names: 'managed by Patroni from synchronous',
  archive_mode: 'managed by backup',
  archive_command: 'managed by backup',
  restore_command: 'managed by backup',
  primary_conninfo: 'managed by Patroni',
  primary_slot_name: 'managed by Patroni',
  recovery_target: 'set by bootstrap.recovery',
  cluster_name: 'set from name',
  ssl: 'set from tls',
  ssl_ca_file: 'set from tls',
  ssl_cert_file: 'set from tls',
  ssl_key_file: 'set from tls',
  ssl_min_protocol_version: 'set from tls.minVersion',
  log_destination: 'set from monitoring.logFormat',
};

export const OWNED_POOLER_SETTINGS: Readonly<Record<string, string>> = {
  listen_addr: 'set by the platform',
  listen_port: 'set from platform.local.basePort',
  unix_socket_dir: 'set by the platform',
  auth_type: 'scram-sha-256, set by pgcluster',
  auth_file: 'generated from the managed roles',
  auth_hba_file: 'set by pgcluster',
  auth_query: 'set by pgcluster',
  auth_user: 'set by pgcluster',
  admin_users: 'pgcluster uses the admin console to follow the primary',
  logfile: 'set by the platform',
  pidfile: 'set by the platform',
  pool_mode: 'set from pooler.poolMode',
  max_client_conn: 'set from pooler.maxClientConn',
  default_pool_size: 'set from pooler.defaultPoolSize',
  ...Object.fromEntries(
    ['client', 'server'].flatMap((side) =>
      ['sslmode', 'ca_file', 'cert_file', 'key_file', 'protocols'].map((k) => [
        `${side}_tls_${k}`,
        'set from tls',
      ]),
    ),
  ),
  server_fast_close: 'on: a session left on a demoted primary ends instead of reading from it',
};
