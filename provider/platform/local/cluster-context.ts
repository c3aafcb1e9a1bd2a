/**
 * Everything the local platform derives for one cluster: paths, ports, the run user, binaries,
 * secrets, and the render contexts of members and pooler.
 */
import { join } from 'node:path';
import type { ClusterSpec } from '../../spec/cluster';
import type { MemberContext, PatroniContext, StandbyContext } from '../../render/context';
import type { PoolerContext } from '../../render/pgbouncer';
import { memberName } from '../../naming';
import type { PgEndpoint } from '../types';
import { clusterPaths, type ClusterPaths } from './paths';
import { clusterPorts, LOCAL_HOST, memberPorts, type ClusterPorts } from './ports';
import type { LocalBinaries } from './binaries';
import type { RunUser } from './run-user';
import type { StoredSecrets } from './state';
import { etcdTlsOn, tlsFiles, poolerTls } from './tls-files';
import { activeTls } from '../../render/tls';

export const ALLOWED_NETWORKS = ['127.0.0.1/32', '::1/128'];

export interface LocalCluster {
  name: string;
  basePort: number;
  stateDir: string;
  paths: ClusterPaths;
  ports: ClusterPorts;
  user: RunUser;
  /** spec.tls is on: Patroni's REST API speaks HTTPS. */
  tls?: boolean;
  /** platform.local.host: where members and the pooler listen and are reached (127.0.0.1 by default). */
  host: string;
  /** Networks pg_hba admits over TCP (the loopback, host, platform.local.allowedNetworks). */
  networks: string[];
}

/** platform.local's addressing: host, allowedNetworks. */
export interface LocalAddressing {
  host?: string | undefined;
  allowedNetworks?: readonly string[] | undefined;
}

export function localCluster(
  stateDir: string,
  name: string,
  basePort: number,
  user: RunUser,
  tls = false,
  addressing: LocalAddressing = {},
): LocalCluster {
  const host = addressing.host ?? LOCAL_HOST;
  return {
    host,
    networks: [
      ...ALLOWED_NETWORKS,
      ...(host !== LOCAL_HOST ? [`${host}/32`] : []),
      ...(addressing.allowedNetworks ?? []),
    ],
    name,
    basePort,
    stateDir,
    paths: clusterPaths(stateDir, name),
    ports: clusterPorts(basePort),
    user,
    ...(tls ? { tls } : {}),
  };
}

export function basePortOf(spec: ClusterSpec): number {
  if (!spec.platform.local) throw new Error('not a local cluster');
  return spec.platform.local.basePort;
}

/** Copies of our helper scripts live in the cluster dir, readable by the run user. */
export function scriptPath(lc: LocalCluster, script: string): string {
  return join(lc.paths.root, 'bin', script);
}

export function memberContext(lc: LocalCluster, slot: number): MemberContext {
  const name = memberName(lc.name, slot);
  const paths = lc.paths.member(name);
  const ports = memberPorts(lc.basePort, slot);
  return {
    name,
    host: lc.host,
    listenHost: lc.host,
    postgresPort: ports.postgres,
    restPort: ports.rest,
    dataDir: paths.data,
    socketDir: paths.socketDir,
    pgpassFile: paths.pgpass,
    logDir: paths.pgLogDir,
  };
}

/**
 * The socket directory of this cluster's member at a PostgreSQL endpoint (its port names the slot),
 * where the superuser logs in by peer authentication; undefined for an endpoint not of this cluster.
 */
export function memberSocketFor(lc: LocalCluster): (endpoint: PgEndpoint) => string | undefined {
  return (endpoint) => {
    // Member n's PostgreSQL listens on base+10+n, n = 1..20 (ports.ts).
    const slot = endpoint.port - lc.basePort - 10;
    if (!Number.isInteger(slot) || slot < 1 || slot > 20) return undefined;
    if (![lc.host, LOCAL_HOST, 'localhost'].includes(endpoint.host)) return undefined;
    return memberContext(lc, slot).socketDir;
  };
}

/**
 * The OS users pg_ident maps to the superuser over the socket: the run user (Patroni, pgBackRest,
 * the exporters, the helper scripts) and root, which runs pgcluster when the run user is another.
 */
export function peerUsers(lc: LocalCluster): string[] {
  return lc.user.switched ? [lc.user.name, 'root'] : [lc.user.name];
}

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The pooler-follow.py mode Patroni's postgresql.before_stop runs. */
export const BEFORE_STOP_HOOK = 'before_stop';

export function patroniContext(
  lc: LocalCluster,
  spec: ClusterSpec,
  slot: number,
  bins: LocalBinaries,
  secrets: StoredSecrets,
  standby?: StandbyContext,
): PatroniContext {
  const member = memberContext(lc, slot);
  const paths = lc.paths.member(member.name);
  const follow = paths.followConfig;
  const bootstrap = spec.bootstrap.recovery
    ? { restoreConfig: paths.restoreConf }
    : spec.bootstrap.pgBasebackup
      ? {
          cloneCommand: [bins.python, scriptPath(lc, 'clone-basebackup.py'), paths.cloneConfig]
            .map(shellQuote)
            .join(' '),
        }
      : undefined;
  return {
    ...(bootstrap ? { bootstrap } : {}),
    ...(standby ? { standby } : {}),
    member,
    dcs: {
      kind: 'etcd3',
      hosts: [`${LOCAL_HOST}:${lc.ports.etcdClient}`],
      ...(etcdTlsOn(lc) ? { caFile: lc.paths.tls.caCert } : {}),
    },
    binDir: bins.postgresBinDir,
    secrets,
    allowedNetworks: lc.networks,
    peerUsers: peerUsers(lc),
    ...(activeTls(spec) ? { tls: tlsFiles(lc) } : {}),
    // Every member is on this host: the one promoting kills a still-running old primary first.
    prePromote: [
      bins.python,
      scriptPath(lc, 'fence-old-primary.py'),
      lc.paths.membersDir,
      member.name,
      bins.postgresBinDir,
    ]
      .map(shellQuote)
      .join(' '),
    callback: spec.pooler.enabled
      ? [bins.python, scriptPath(lc, 'pooler-follow.py'), follow].map(shellQuote).join(' ')
      : undefined,
    // PAUSEs the pooler as this member stops for pgcluster's switchover (its mark names it).
    beforeStop: spec.pooler.enabled
      ? [bins.python, scriptPath(lc, 'pooler-follow.py'), follow, BEFORE_STOP_HOOK].map(shellQuote).join(' ')
      : undefined,
  };
}

export function poolerContext(lc: LocalCluster, spec: ClusterSpec): PoolerContext {
  const p = lc.paths.pooler;
  const tls = poolerTls(lc, spec);
  return {
    ...(tls ? { tls } : {}),
    listenHost: lc.host,
    port: lc.ports.pooler,
    databasesFile: p.databases,
    authFile: p.userlist,
    logFile: p.log,
    pidFile: p.pid,
    socketDir: '',
  };
}
