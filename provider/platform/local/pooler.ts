/** The cluster's PgBouncer: config files, start, reload (SIGHUP), stop. */
import { appOf } from '../../spec/bootstrap';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { ClusterSpec } from '../../spec/cluster';
import { renderPgbouncerIni, renderPoolerDatabases, renderUserlist } from '../../render/pgbouncer';
import { POOLER_ADMIN_USER } from '../../naming';
import { ActionError } from '../../errors';
import type { LocalBinaries } from './binaries';
import { poolerContext, type LocalCluster } from './cluster-context';
import { isAlive, sleep, spawnDaemon, stopPid } from './process';
import { poolerPid } from './pids';
import { ensureDir, giveTo } from './run-user';
import { writeFileAtomic, type StoredSecrets } from './state';

function writeIfChanged(path: string, content: string): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === content) return false;
  writeFileAtomic(path, content, 0o600);
  return true;
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Renders the pooler's files with `primary` as the target and makes PgBouncer run them: started
 * when not running, reloaded when a file changed, untouched otherwise. Returns what it did.
 */
export async function ensurePooler(
  lc: LocalCluster,
  spec: ClusterSpec,
  primary: { host: string; port: number },
  bins: LocalBinaries,
  secrets: StoredSecrets,
): Promise<'started' | 'reloaded' | 'unchanged'> {
  const p = lc.paths.pooler;
  ensureDir(lc.user, p.dir);
  const owner = appOf(spec.bootstrap).owner;
  const changed = [
    writeIfChanged(p.ini, renderPgbouncerIni(spec.pooler, poolerContext(lc, spec))),
    writeIfChanged(
      p.userlist,
      renderUserlist([
        { user: owner, secret: secrets.appVerifier },
        { user: POOLER_ADMIN_USER, secret: secrets.poolerAdminVerifier },
        ...(secrets.poolerUsers ?? []).filter((u) => u.user !== owner && u.user !== POOLER_ADMIN_USER),
      ]),
    ),
    writeIfChanged(p.databases, renderPoolerDatabases(primary)),
    writeIfChanged(p.adminPassFile, `${secrets.poolerAdminPassword}\n`),
  ].some(Boolean);
  for (const file of [p.ini, p.userlist, p.databases, p.adminPassFile]) giveTo(lc.user, file);
  const pid = poolerPid(lc);
  if (pid) {
    if (!changed) return 'unchanged';
    process.kill(pid, 'SIGHUP');
    return 'reloaded';
  }
  const started = spawnDaemon({
    command: bins.pgbouncer,
    args: [p.ini],
    logFile: `${p.log}.stderr`,
    cwd: p.dir,
    user: lc.user,
  });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (!isAlive(started)) throw new ActionError(`pgbouncer exited during start; see ${p.log}`);
    if (await listening(lc.host, lc.ports.pooler)) return 'started';
    await sleep(50);
  }
  throw new ActionError(
    `pgbouncer did not listen on ${lc.host}:${lc.ports.pooler} within 15 s; see ${p.log}`,
  );
}

export async function stopPooler(lc: LocalCluster): Promise<void> {
  await stopPid(poolerPid(lc), 'SIGTERM', 10_000);
}
