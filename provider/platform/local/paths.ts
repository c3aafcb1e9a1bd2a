/** Where a local cluster keeps its files under the state dir. One function per file; pure. */
import { join } from 'node:path';

export function clusterPaths(stateDir: string, cluster: string) {
  const root = join(stateDir, cluster);
  return {
    root,
    stateFile: join(root, 'cluster.json'),
    secretsFile: join(root, 'secrets.json'),
    /** Present while platform.local.peerWatch is on (read by every member-supervisor.py). */
    peerWatchFlag: join(root, 'peer-watch'),
    etcd: {
      dir: join(root, 'etcd'),
      data: join(root, 'etcd', 'data'),
      log: join(root, 'etcd', 'etcd.log'),
      pid: join(root, 'etcd', 'etcd.pid'),
      /** Present when etcd was created with tls (HTTPS on its client port, for the cluster's life). */
      tlsMarker: join(root, 'etcd', 'tls'),
    },
    pooler: {
      dir: join(root, 'pooler'),
      ini: join(root, 'pooler', 'pgbouncer.ini'),
      databases: join(root, 'pooler', 'databases.ini'),
      userlist: join(root, 'pooler', 'userlist.txt'),
      log: join(root, 'pooler', 'pgbouncer.log'),
      pid: join(root, 'pooler', 'pgbouncer.pid'),
      adminPassFile: join(root, 'pooler', 'admin.pgpass'),
      /** Present while pgcluster's switchover holds the pooler (read by pooler-follow.py). */
      switchoverMark: join(root, 'pooler', 'switchover-in-progress'),
      /** Written by the old primary's before_stop hook once it has PAUSEd the pooler for that switchover. */
      switchoverPaused: join(root, 'pooler', 'switchover-paused'),
    },
    /** pgBackRest beside the members: the repository CA, logs, the backup scheduler. */
    backup: {
      dir: join(root, 'pgbackrest'),
      ca: join(root, 'pgbackrest', 'ca.pem'),
      log: join(root, 'pgbackrest', 'log'),
      /** An older version's password file for pgBackRest's connections: removed (peer over the socket now). */
      pgpass: join(root, 'pgbackrest', 'pgpass'),
      schedulerConfig: join(root, 'pgbackrest', 'scheduler.json'),
      schedulerPid: join(root, 'pgbackrest', 'scheduler.pid'),
      schedulerLog: join(root, 'pgbackrest', 'scheduler.log'),
      /** The last backup pgcluster took or saw (for status, without asking S3). */
      lastBackup: join(root, 'pgbackrest', 'last-backup.json'),
    },
    /** tls: the CA, the server certificate and the client certificates of replication and pg_rewind. */
    tls: {
      dir: join(root, 'tls'),
      /** Present while the members run with tls (their REST API speaks HTTPS). */
      active: join(root, 'tls', 'active'),
      caCert: join(root, 'tls', 'ca.crt'),
      /** 0600: the CA's private key (generated, or a copy of tls.ca.keyFile). */
      caKey: join(root, 'tls', 'ca.key'),
      serverCert: join(root, 'tls', 'server.crt'),
      serverKey: join(root, 'tls', 'server.key'),
      replicationCert: join(root, 'tls', 'replicator.crt'),
      replicationKey: join(root, 'tls', 'replicator.key'),
      rewindCert: join(root, 'tls', 'rewinder.crt'),
      rewindKey: join(root, 'tls', 'rewinder.key'),
    },
    /** The keeper: restarts members whose processes are gone (platform/local/keeper.ts). */
    keeper: {
      pid: join(root, 'keeper.pid'),
      log: join(root, 'keeper.log'),
      /** What it did per member (restarts, backoff, gave up), for status and tests. */
      state: join(root, 'keeper.json'),
      /** Written by `up`/`down` while they start and stop members: the keeper keeps its hands off. */
      busy: join(root, 'keeper.busy'),
    },
    membersDir: join(root, 'members'),
    member: (name: string) => memberPaths(join(root, 'members', name)),
    /** A replica cluster's source members (their REST API), for the standby leader's source watch. */
    sourceWatch: join(root, 'replica-source.json'),
  };
}

export function memberPaths(dir: string) {
  return {
    dir,
    config: join(dir, 'patroni.yml'),
    data: join(dir, 'data'),
    socketDir: join(dir, 'run'),
    pgpass: join(dir, 'pgpass'),
    pgLogDir: join(dir, 'log'),
    patroniLog: join(dir, 'patroni.log'),
    supervisorPid: join(dir, 'supervisor.pid'),
    patroniPid: join(dir, 'patroni.pid'),
    postmasterPid: join(dir, 'data', 'postmaster.pid'),
    followConfig: join(dir, 'pooler-follow.json'),
    /** Written by the source watch while this member is a standby leader: where the source's WAL ended. */
    sourcePosition: join(dir, 'source-position.json'),
    /** pgBackRest: this member's configuration (pg1 = this member), spool and lock directories. */
    pgbackrestConf: join(dir, 'pgbackrest.conf'),
    pgbackrestSpool: join(dir, 'pgbackrest-spool'),
    pgbackrestLock: join(dir, 'pgbackrest-lock'),
    /** bootstrap.recovery: a configuration that only reads the source repository. */
    restoreConf: join(dir, 'pgbackrest-restore.conf'),
    /** bootstrap.pgBasebackup: the source connection and its password file (removed after the clone). */
    cloneConfig: join(dir, 'clone.json'),
    clonePass: join(dir, 'clone.pgpass'),
  };
}

export type ClusterPaths = ReturnType<typeof clusterPaths>;
export type MemberPaths = ReturnType<typeof memberPaths>;
