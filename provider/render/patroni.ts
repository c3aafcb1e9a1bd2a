/**
 * Patroni configuration: the cluster-wide dynamic configuration (kept in the DCS, changed through
 * PATCH /config) and the per-member YAML file. Pure and deterministic: keys in sorted order.
 */
import YAML from 'yaml';
import type { ClusterSpec } from '../spec/cluster';
import { REPLICATION_USER, REWIND_USER, SUPERUSER } from '../naming';
import { KUBERNETES_ROLE_LABEL } from '../patroni/roles';
import type { DcsContext, PatroniContext } from './context';
import { renderParameters } from './parameters';
import { renderPgHba } from './pghba';
import { oneLine, sortKeys } from './sorted';

/** Key prefix of every cluster in the DCS. */
export const DCS_NAMESPACE = '/pgcluster/';

export interface DynamicConfig {
  ttl: number;
  loop_wait: number;
  retry_timeout: number;
  maximum_lag_on_failover: number;
  /** `true`: Patroni's synchronous mode (FIRST n); `quorum`: quorum commit (ANY n). */
  synchronous_mode: boolean | 'quorum';
  synchronous_mode_strict: boolean;
  synchronous_node_count: number;
  postgresql: {
    use_pg_rewind: boolean;
    use_slots: boolean;
    parameters: Record<string, string>;
    pg_hba: string[];
  };
}

/** Patroni's dynamic configuration for the spec: timing, synchronous mode, parameters, pg_hba. */
export function renderDynamicConfig(spec: ClusterSpec, allowedNetworks: readonly string[]): DynamicConfig {
  return sortKeys({
    ttl: spec.ha.ttl,
    loop_wait: spec.ha.loopWait,
    retry_timeout: spec.ha.retryTimeout,
    maximum_lag_on_failover: spec.ha.maximumLagOnFailover,
    synchronous_mode: spec.synchronous ? (spec.synchronous.method === 'any' ? 'quorum' : true) : false,
    synchronous_mode_strict: spec.synchronous?.dataDurability === 'required',
    synchronous_node_count: spec.synchronous?.number ?? 1,
    postgresql: {
      use_pg_rewind: true,
      use_slots: true,
      parameters: renderParameters(spec),
      pg_hba: renderPgHba(spec, allowedNetworks),
    },
  });
}

function renderDcs(dcs: DcsContext): Record<string, unknown> {
  switch (dcs.kind) {
    case 'etcd3':
      return { etcd3: { hosts: dcs.hosts, protocol: 'http' } };
    case 'kubernetes':
      return {
        kubernetes: {
          namespace: dcs.namespace,
          labels: dcs.labels,
          role_label: KUBERNETES_ROLE_LABEL.key,
          leader_label_value: KUBERNETES_ROLE_LABEL.primary,
          standby_leader_label_value: KUBERNETES_ROLE_LABEL.primary,
          follower_label_value: KUBERNETES_ROLE_LABEL.replica,
          use_endpoints: false,
        },
      };
  }
}

function initdbOptions(spec: ClusterSpec): unknown[] {
  const initdb = spec.bootstrap.initdb;
  if (!initdb) return [];
  return [
    { encoding: oneLine(initdb.encoding) },
    { locale: oneLine(initdb.locale) },
    ...(initdb.dataChecksums ? ['data-checksums'] : []),
    { 'auth-local': 'scram-sha-256' },
    { 'auth-host': 'scram-sha-256' },
  ];
}

/** The Patroni configuration object of one member. */
export function buildPatroniConfig(spec: ClusterSpec, ctx: PatroniContext): Record<string, unknown> {
  const { member, secrets } = ctx;
  const callbacks = ctx.callback ? { on_role_change: ctx.callback, on_start: ctx.callback } : undefined;
  return sortKeys({
    scope: spec.name,
    name: member.name,
    namespace: DCS_NAMESPACE,
    log: { level: 'INFO', format: '%(asctime)s %(levelname)s: %(message)s' },
    restapi: {
      listen: `${member.listenHost}:${member.restPort}`,
      connect_address: `${member.host}:${member.restPort}`,
    },
    ...renderDcs(ctx.dcs),
    bootstrap: {
      dcs: renderDynamicConfig(spec, ctx.allowedNetworks),
      initdb: initdbOptions(spec),
      // Same rules as the dynamic configuration (which wins), for the first start of a member.
      pg_hba: renderPgHba(spec, ctx.allowedNetworks),
    },
    postgresql: {
      listen: `${member.listenHost}:${member.postgresPort}`,
      connect_address: `${member.host}:${member.postgresPort}`,
      data_dir: member.dataDir,
      bin_dir: ctx.binDir,
      pgpass: member.pgpassFile,
      use_unix_socket: true,
      authentication: {
        superuser: { username: SUPERUSER, password: secrets.superuserPassword },
        replication: { username: REPLICATION_USER, password: secrets.replicationPassword },
        rewind: { username: REWIND_USER, password: secrets.rewindPassword },
      },
      parameters: {
        unix_socket_directories: member.socketDir,
        log_directory: member.logDir,
      },
      basebackup: [{ checkpoint: 'fast' }],
      ...(callbacks ? { callbacks } : {}),
    },
    // No watchdog device in containers or on laptops; a fenced primary relies on Patroni's demotion.
    watchdog: { mode: 'off' },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  });
}

/** The member's patroni.yml text. Contains passwords: write it 0600. */
export function renderPatroniYaml(spec: ClusterSpec, ctx: PatroniContext): string {
  // Patroni reads it with PyYAML, a YAML 1.1 parser: emit 1.1 so that strings such as `off`, `on`,
  // `yes` or `1:30` are quoted and stay strings instead of becoming booleans or numbers.
  return YAML.stringify(buildPatroniConfig(spec, ctx), { lineWidth: 0, version: '1.1' });
}
