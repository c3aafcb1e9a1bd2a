/**
 * One Patroni member: its config file, its supervisor (which keeps Patroni and the postmaster
 * alive together and dead together). Its PIDs: pids.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ClusterSpec } from '../../spec/cluster';
import { DCS_NAMESPACE, renderPatroniYaml } from '../../render/patroni';
import { renderPoolerDatabases } from '../../render/pgbouncer';
import { memberSlot, POOLER_ADMIN_USER } from '../../naming';
import { CALLBACK_PRIMARY_ROLES } from '../../patroni/roles';
import type { LocalBinaries } from './binaries';
import type { StandbyContext } from '../../render/context';
import { patroniContext, scriptPath, type LocalCluster } from './cluster-context';
import { etcdUrl } from './etcd';
import { etcdTlsOn } from './tls-files';
import { spawnDaemon, stopPid } from './process';
import { memberPids, memberRuntime } from './pids';
import { ensureDir, giveTo } from './run-user';
import { writeFileAtomic, type StoredSecrets } from './state';

/** Writes patroni.yml and the pooler-follow config. Returns true when patroni.yml changed. */
export function writeMemberConfig(
  lc: LocalCluster,
  spec: ClusterSpec,
  slot: number,
  bins: LocalBinaries,
  secrets: StoredSecrets,
  standby?: StandbyContext,
): boolean {
  const ctx = patroniContext(lc, spec, slot, bins, secrets, standby);
  const p = lc.paths.member(ctx.member.name);
  for (const dir of [p.dir, p.socketDir, p.pgLogDir]) ensureDir(lc.user, dir);
  const follow = {
    primaryRoles: CALLBACK_PRIMARY_ROLES,
    member: ctx.member.name,
    databasesFile: lc.paths.pooler.databases,
    databasesContent: renderPoolerDatabases({ host: ctx.member.host, port: ctx.member.postgresPort }),
    admin: {
      host: lc.host,
      port: lc.ports.pooler,
      user: POOLER_ADMIN_USER,
      passFile: lc.paths.pooler.adminPassFile,
      // Under tls the admin console is reached over TLS too (required when tls.required).
      ...(spec.tls?.enabled ? { sslmode: 'verify-full', sslrootcert: lc.paths.tls.caCert } : {}),
    },
    postgres: { socketDir: p.socketDir, port: ctx.member.postgresPort, patroniConfig: p.config },
  };
  writeFileAtomic(p.followConfig, `${JSON.stringify(follow, null, 2)}\n`, 0o600);
  const yaml = renderPatroniYaml(spec, ctx);
  const changed = !existsSync(p.config) || readFileSync(p.config, 'utf8') !== yaml;
  if (changed) writeFileAtomic(p.config, yaml, 0o600);
  giveTo(lc.user, p.followConfig);
  giveTo(lc.user, p.config);
  return changed;
}

/**
 * A postmaster whose supervisor is gone (the supervisor itself was SIGKILLed) would keep serving
 * unmanaged: stop it before Patroni starts again, so there is never a second primary.
 */
export async function stopOrphanPostmaster(lc: LocalCluster, name: string): Promise<boolean> {
  const pids = memberPids(lc, name);
  if (pids.supervisor || !pids.postmaster) return false;
  await stopPid(pids.postmaster, 'SIGQUIT', 5000);
  return true;
}

export function startMember(lc: LocalCluster, name: string, bins: LocalBinaries): number {
  const p = lc.paths.member(name);
  const pid = spawnDaemon({
    command: bins.python,
    args: [
      scriptPath(lc, 'member-supervisor.py'),
      p.supervisorPid,
      p.patroniPid,
      '--',
      bins.patroni,
      p.config,
    ],
    logFile: p.patroniLog,
    cwd: p.dir,
    user: lc.user,
    // For the supervisor's fast lock release when Patroni crashes, and its peer watch (see member-supervisor.py).
    env: {
      PGCLUSTER_ETCD_URL: etcdUrl(lc),
      ...(etcdTlsOn(lc) ? { PGCLUSTER_ETCD_CA: lc.paths.tls.caCert } : {}),
      PGCLUSTER_LEADER_KEY: `${DCS_NAMESPACE}${lc.name}/leader`,
      PGCLUSTER_MEMBER: name,
      PGCLUSTER_PGDATA: p.data,
      PGCLUSTER_PEER_WATCH_FILE: lc.paths.peerWatchFlag,
      PGCLUSTER_PG_BINDIR: bins.postgresBinDir,
      // The source watch of a replica cluster's standby leader (source_watch.py).
      PGCLUSTER_SOURCE_WATCH: lc.paths.sourceWatch,
      PGCLUSTER_SOURCE_POSITION: p.sourcePosition,
      PGCLUSTER_API_URL: memberRuntime(lc, memberSlot(lc.name, name) as number).apiUrl,
      ...(lc.tls ? { PGCLUSTER_API_CA: lc.paths.tls.caCert } : {}),
      // archive_command, restore_command and the replica restore read this member's configuration
      // (pg1 = this member); pgBackRest reaches the members over their sockets (peer, no password).
      PGBACKREST_CONFIG: p.pgbackrestConf,
      // The same pg1 as the member's own file; what a replica cluster's configuration for the source's
      // archive (one for the whole cluster, replica-source.conf) needs.
      PGBACKREST_PG1_PATH: p.data,
    },
  });
  // Known from this moment on; the supervisor rewrites the same PID once it runs.
  writeFileAtomic(p.supervisorPid, `${pid}\n`, 0o644);
  giveTo(lc.user, p.supervisorPid);
  return pid;
}

/** Patroni re-reads patroni.yml on SIGHUP; PostgreSQL is reloaded only if its settings changed. */
export function reloadMember(lc: LocalCluster, name: string): void {
  const { patroni } = memberPids(lc, name);
  if (patroni) process.kill(patroni, 'SIGHUP');
}

/** Graceful stop: Patroni shuts PostgreSQL down (fast mode), then the supervisor exits. */
export async function stopMember(lc: LocalCluster, name: string, timeoutMs = 60_000): Promise<void> {
  const pids = memberPids(lc, name);
  await stopPid(pids.supervisor, 'SIGTERM', timeoutMs);
  // If the supervisor had to be SIGKILLed, Patroni died with it (PDEATHSIG); the postmaster may not have.
  await stopPid(memberPids(lc, name).patroni, 'SIGKILL', 1000);
  await stopOrphanPostmaster(lc, name);
}
