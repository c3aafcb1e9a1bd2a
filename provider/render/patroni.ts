/**
 * Patroni configuration: the cluster-wide dynamic configuration (kept in the DCS, changed through
 * PATCH /config) and the per-member YAML file. Pure and deterministic: keys in sorted order.
 */
import YAML from 'yaml';
import type { ClusterSpec } from '../spec/cluster';
import { REWIND_USER, SUPERUSER } from '../naming';
import { replicationUser } from './replication-user';
import { KUBERNETES_ROLE_LABEL } from '../patroni/roles';
import type { DcsContext, PatroniContext, StandbyContext } from './context';
import { renderParameters } from './parameters';
import { renderPgHba, renderPgIdent, renderSuperuserCertIdent } from './pghba';
import { oneLine, sortKeys } from './sorted';
import { restoreCommand } from './pgbackrest';
import type { RecoverySpec, RecoveryTarget } from '../spec/bootstrap';
import { activeTls, libpqTls, sslParameters } from './tls';

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
  /** Patroni's maintenance mode: no automatic failover, PostgreSQL keeps running (spec.maintenance). */
  pause: boolean;
  postgresql: {
    use_pg_rewind: boolean;
    use_slots: boolean;
    parameters: Record<string, string>;
    pg_hba: string[];
  };
  /** Present while the cluster is a replica cluster: Patroni runs it as a standby cluster. */
  standby_cluster?: StandbyClusterConfig;
}

export interface StandbyClusterConfig {
  host?: string;
  port?: number;
  restore_command?: string;
  recovery_min_apply_delay?: string;
  create_replica_methods: string[];
}

/** Patroni's standby_cluster section for a replica cluster. */
export function renderStandbyCluster(standby: StandbyContext): StandbyClusterConfig {
  return sortKeys({
    ...(standby.host !== undefined ? { host: standby.host } : {}),
    ...(standby.port !== undefined ? { port: standby.port } : {}),
    ...(standby.restoreCommand !== undefined ? { restore_command: standby.restoreCommand } : {}),
    ...(standby.applyDelay !== undefined ? { recovery_min_apply_delay: standby.applyDelay } : {}),
    create_replica_methods: standby.createReplicaMethods,
  });
}

/** Patroni's dynamic configuration for the spec: timing, synchronous mode, parameters, pg_hba. */
export function renderDynamicConfig(
  spec: ClusterSpec,
  allowedNetworks: readonly string[],
  standby?: StandbyContext,
): DynamicConfig {
  return sortKeys({
    ...(standby ? { standby_cluster: renderStandbyCluster(standby) } : {}),
    ttl: spec.ha.ttl,
    loop_wait: spec.ha.loopWait,
    retry_timeout: spec.ha.retryTimeout,
    maximum_lag_on_failover: spec.ha.maximumLagOnFailover,
    synchronous_mode: spec.synchronous ? (spec.synchronous.method === 'any' ? 'quorum' : true) : false,
    synchronous_mode_strict: spec.synchronous?.dataDurability === 'required',
    synchronous_node_count: spec.synchronous?.number ?? 1,
    pause: spec.maintenance,
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
      return {
        etcd3: {
          hosts: dcs.hosts,
          protocol: dcs.caFile ? 'https' : 'http',
          ...(dcs.caFile ? { cacert: dcs.caFile } : {}),
        },
      };
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

/** The method names pgcluster gives Patroni's custom bootstraps. */
export const BOOTSTRAP_METHODS = { recovery: 'pgcluster_restore', clone: 'pgcluster_clone' } as const;

/**
 * A timestamp as pgBackRest reads one ("YYYY-MM-DD HH:MM:SS[.mmm]+HH", no "T", no "Z"), in UTC,
 * milliseconds rounded down. Only pgBackRest's choice of the backup set uses it; PostgreSQL replays
 * to the spec's own value.
 */
export function pgbackrestTime(iso: string): string {
  const d = new Date(Date.parse(iso.replace(' ', 'T')));
  return `${d.toISOString().replace('T', ' ').replace('Z', '')}+00`;
}

/** pgbackrest restore --type/--target for a recovery target (the backup set is chosen from it). */
export function restoreTypeArgs(target: RecoveryTarget): string[] {
  if (target.time !== undefined) return ['--type=time', `"--target=${pgbackrestTime(target.time)}"`];
  if (target.lsn !== undefined) return ['--type=lsn', `--target=${target.lsn}`];
  if (target.xid !== undefined) return ['--type=xid', `--target=${target.xid}`];
  if (target.name !== undefined) return ['--type=name', `"--target=${target.name}"`];
  if (target.immediate) return ['--type=immediate'];
  return ['--type=default'];
}

/** The recovery parameters Patroni writes for the restore: replay the source archive to the target, then promote. */
export function recoveryParameters(target: RecoveryTarget, restore: string): Record<string, string> {
  const out: Record<string, string> = {
    restore_command: restore,
    recovery_target_action: 'promote',
    recovery_target_timeline: 'latest',
  };
  // PostgreSQL's recovery_target_time takes neither the ISO "T" nor "Z"; every digit is kept.
  if (target.time !== undefined)
    out.recovery_target_time = target.time.replace('T', ' ').replace(/Z$/, '+00');
  else if (target.lsn !== undefined) out.recovery_target_lsn = target.lsn;
  else if (target.xid !== undefined) out.recovery_target_xid = target.xid;
  else if (target.name !== undefined) out.recovery_target_name = target.name;
  else if (target.immediate) out.recovery_target = 'immediate';
  if ((target.time ?? target.lsn ?? target.xid) !== undefined)
    out.recovery_target_inclusive = target.exclusive ? 'off' : 'on';
  return out;
}

/** Patroni's bootstrap section: initdb, or the custom method that restores or clones. */
function bootstrapSection(spec: ClusterSpec, ctx: PatroniContext): Record<string, unknown> {
  const common = {
    // A cluster is never bootstrapped paused (Patroni would not initialise it): `up` pauses it after.
    dcs: renderDynamicConfig({ ...spec, maintenance: false }, ctx.allowedNetworks, ctx.standby),
    // Same rules as the dynamic configuration (which wins), for the first start of a member.
    pg_hba: renderPgHba(spec, ctx.allowedNetworks),
  };
  const recovery = spec.bootstrap.recovery;
  if (recovery) {
    const config = ctx.bootstrap?.restoreConfig;
    if (!config) throw new Error('bootstrap.recovery needs the restore configuration path');
    const stanza = sourceStanza(recovery);
    return {
      ...common,
      method: BOOTSTRAP_METHODS.recovery,
      [BOOTSTRAP_METHODS.recovery]: {
        command: [
          'pgbackrest',
          `--config=${config}`,
          `--stanza=${stanza}`,
          '--delta',
          ...(recovery.backupSet ? [`--set=${recovery.backupSet}`] : []),
          'restore',
          ...restoreTypeArgs(recovery.target),
        ].join(' '),
        no_params: true,
        recovery_conf: recoveryParameters(recovery.target, restoreCommand(stanza, config)),
      },
    };
  }
  if (spec.bootstrap.pgBasebackup) {
    const command = ctx.bootstrap?.cloneCommand;
    if (!command) throw new Error('bootstrap.pgBasebackup needs the clone command');
    return {
      ...common,
      method: BOOTSTRAP_METHODS.clone,
      [BOOTSTRAP_METHODS.clone]: { command, no_params: true },
    };
  }
  return { ...common, initdb: initdbOptions(spec) };
}

/** The stanza a recovery reads: the source cluster's name, or the given one. */
export function sourceStanza(recovery: RecoverySpec): string {
  return recovery.source.cluster ?? (recovery.source.stanza as string);
}

/** With an archive: replicas restored from the latest backup (else a base backup), WAL from the archive. */
function archiveSettings(spec: ClusterSpec): Record<string, unknown> {
  if (!spec.backup) return {};
  return {
    recovery_conf: { restore_command: restoreCommand(spec.name) },
    create_replica_methods: ['pgbackrest', 'basebackup'],
    pgbackrest: {
      command: `pgbackrest --stanza=${spec.name} --delta restore`,
      keep_data: true,
      no_params: true,
    },
  };
}

/** The Patroni configuration object of one member. */
export function buildPatroniConfig(spec: ClusterSpec, ctx: PatroniContext): Record<string, unknown> {
  const { member, secrets } = ctx;
  const callbacks = ctx.callback ? { on_role_change: ctx.callback, on_start: ctx.callback } : undefined;
  const tls = activeTls(spec);
  if (tls && !ctx.tls) throw new Error('tls is on but the platform supplied no certificate files');
  const files = tls ? ctx.tls : undefined;
  const ident = [...(ctx.peerUsers ? renderPgIdent(ctx.peerUsers) : []), ...renderSuperuserCertIdent(spec)];
  return sortKeys({
    scope: spec.name,
    name: member.name,
    namespace: DCS_NAMESPACE,
    log: { level: 'INFO', format: '%(asctime)s %(levelname)s: %(message)s' },
    restapi: {
      listen: `${member.listenHost}:${member.restPort}`,
      connect_address: `${member.host}:${member.restPort}`,
      // HTTPS with the server certificate (Patroni's own calls to the other members do not verify it;
      // pgcluster's do, with the CA).
      ...(files ? { certfile: files.serverCert, keyfile: files.serverKey, cafile: files.caFile } : {}),
    },
    ...renderDcs(ctx.dcs),
    bootstrap: bootstrapSection(spec, ctx),
    postgresql: {
      listen: `${member.listenHost}:${member.postgresPort}`,
      connect_address: `${member.host}:${member.postgresPort}`,
      data_dir: member.dataDir,
      bin_dir: ctx.binDir,
      pgpass: member.pgpassFile,
      use_unix_socket: true,
      authentication: {
        // No password on a local replica cluster: Patroni reaches its PostgreSQL over the socket (peer).
        superuser: {
          username: SUPERUSER,
          ...(secrets.superuserPassword !== undefined ? { password: secrets.superuserPassword } : {}),
        },
        replication: {
          username: replicationUser(spec),
          password: secrets.replicationPassword,
          ...(ctx.standby?.replicationTls ?? libpqTls(spec, files, 'replication')),
        },
        rewind: {
          username: REWIND_USER,
          password: secrets.rewindPassword,
          ...libpqTls(spec, files, 'rewind'),
        },
      },
      parameters: {
        unix_socket_directories: member.socketDir,
        log_directory: member.logDir,
        ...(tls && files ? sslParameters(tls, files) : {}),
      },
      ...(ident.length > 0 ? { pg_ident: ident } : {}),
      basebackup: [{ checkpoint: 'fast' }],
      ...archiveSettings(spec),
      ...(ctx.standby?.restoreMethod
        ? {
            [ctx.standby.restoreMethod.name]: {
              command: ctx.standby.restoreMethod.command,
              keep_data: true,
              // It reads the archive: it works while the source's PostgreSQL is out of reach.
              no_leader: true,
              no_params: true,
            },
          }
        : {}),
      ...(callbacks ? { callbacks } : {}),
      ...(ctx.prePromote ? { pre_promote: ctx.prePromote } : {}),
      ...(ctx.beforeStop ? { before_stop: ctx.beforeStop } : {}),
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
