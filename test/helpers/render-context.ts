/** Fixed, fake contexts for the renderers, so their output is stable enough to snapshot. */
import { memberName } from '../../provider/naming';
import type { ClusterSecrets, PatroniContext, PoolerContext } from '../../provider/render';
import { parseSpec, type ClusterSpec } from '../../provider/spec';

/** The cluster the snapshots show: 3 members, synchronous, a few user parameters and pg_hba lines. */
export function ordersSpec(): ClusterSpec {
  return parseSpec({
    name: 'orders',
    instances: 3,
    synchronous: { number: 1 },
    parameters: { work_mem: '16MB', random_page_cost: 1.1, jit: false, log_min_duration_statement: '250ms' },
    pgHba: ['host app app 10.0.0.0/8 scram-sha-256'],
    pooler: {
      poolMode: 'transaction',
      parameters: { server_idle_timeout: 600, application_name_add_host: true },
    },
  });
}

export const PG_BIN_DIR = '/usr/lib/postgresql/15/bin';

export const FAKE_SECRETS: ClusterSecrets = {
  superuserPassword: 'superuser-secret',
  replicationPassword: 'replication-secret',
  rewindPassword: 'rewind-secret',
  appPassword: 'app-secret',
  poolerAdminPassword: 'pooler-admin-secret',
};

export interface MemberOptions {
  cluster: string;
  slot: number;
  host?: string;
  postgresPort?: number;
  restPort?: number;
  stateDir?: string;
  etcdHosts?: string[];
}

/** A member's Patroni context laid out like the local platform: files under `<stateDir>/<member>`. */
export function patroniContext(o: MemberOptions): PatroniContext {
  const name = memberName(o.cluster, o.slot);
  const dir = `${o.stateDir ?? '/var/lib/pgcluster'}/${name}`;
  const host = o.host ?? '127.0.0.1';
  return {
    member: {
      name,
      host,
      listenHost: host,
      postgresPort: o.postgresPort ?? 15410 + o.slot,
      restPort: o.restPort ?? 15440 + o.slot,
      dataDir: `${dir}/data`,
      socketDir: dir,
      pgpassFile: `${dir}/pgpass`,
      logDir: `${dir}/log`,
    },
    dcs: { kind: 'etcd3', hosts: o.etcdHosts ?? ['127.0.0.1:15401'] },
    binDir: PG_BIN_DIR,
    secrets: FAKE_SECRETS,
    allowedNetworks: ['127.0.0.0/8'],
    callback: '/usr/local/bin/pgcluster-callback',
    // tls is on by default: the platform's certificate files, laid out as the local platform does.
    tls: {
      caFile: `${o.stateDir ?? '/var/lib/pgcluster'}/tls/ca.crt`,
      serverCert: `${o.stateDir ?? '/var/lib/pgcluster'}/tls/server.crt`,
      serverKey: `${o.stateDir ?? '/var/lib/pgcluster'}/tls/server.key`,
      replicationCert: `${o.stateDir ?? '/var/lib/pgcluster'}/tls/replicator.crt`,
      replicationKey: `${o.stateDir ?? '/var/lib/pgcluster'}/tls/replicator.key`,
      rewindCert: `${o.stateDir ?? '/var/lib/pgcluster'}/tls/rewinder.crt`,
      rewindKey: `${o.stateDir ?? '/var/lib/pgcluster'}/tls/rewinder.key`,
    },
  };
}

export function poolerContext(dir = '/var/lib/pgcluster/pooler', port = 15400): PoolerContext {
  return {
    listenHost: '127.0.0.1',
    port,
    databasesFile: `${dir}/databases.ini`,
    authFile: `${dir}/userlist.txt`,
    logFile: `${dir}/pgbouncer.log`,
    pidFile: `${dir}/pgbouncer.pid`,
    socketDir: '',
  };
}
