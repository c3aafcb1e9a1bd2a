/**
 * The keeper of a local cluster (platform.local.keeper), as Kubernetes restarts a pod: one daemon
 * per cluster (cmd/keeper.ts) that restarts a member whose processes are gone, and etcd, with
 * backoff (plan/keeper.ts), and gives up with a clear status after repeated crashes. `up` starts
 * it and resets its state; `down`, `destroy` and hibernation stop it first; fenced members are left
 * alone; while `up` starts or stops members it keeps its hands off (the busy file names up's PID).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { ClusterSpec } from '../../spec/cluster';
import type { KeeperMemberState } from '../../plan/keeper';
import type { LocalCluster } from './cluster-context';
import { isAlive, readPid, spawnDaemon, stopPid } from './process';
import { writeFileAtomic } from './state';

export function keeperPid(lc: LocalCluster): number | undefined {
  const pid = readPid(lc.paths.keeper.pid);
  return isAlive(pid) ? pid : undefined;
}

/** The daemon's entry: the compiled file, or the TypeScript one through tsx (tests). */
function entry(): string[] {
  const js = join(__dirname, '..', '..', 'cmd', 'keeper.js');
  if (existsSync(js)) return [js];
  return [
    '--import',
    pathToFileURL(require.resolve('tsx')).href,
    join(__dirname, '..', '..', 'cmd', 'keeper.ts'),
  ];
}

/** While this process starts or stops members, the keeper waits (a dead PID here counts for nothing). */
export function markBusy(lc: LocalCluster): void {
  writeFileAtomic(lc.paths.keeper.busy, `${process.pid}\n`, 0o644);
}

export function clearBusy(lc: LocalCluster): void {
  rmSync(lc.paths.keeper.busy, { force: true });
}

export function isBusy(lc: LocalCluster): boolean {
  return isAlive(readPid(lc.paths.keeper.busy));
}

export async function stopKeeper(lc: LocalCluster): Promise<boolean> {
  const pid = keeperPid(lc);
  if (!pid) return false;
  await stopPid(pid, 'SIGTERM', 10_000);
  rmSync(lc.paths.keeper.pid, { force: true });
  return true;
}

export function readKeeperState(lc: LocalCluster): Record<string, KeeperMemberState> {
  try {
    return JSON.parse(readFileSync(lc.paths.keeper.state, 'utf8')) as Record<string, KeeperMemberState>;
  } catch {
    return {};
  }
}

/** Makes the keeper match the spec: running (with a fresh state: `up` is a new start) or stopped. */
export async function syncKeeper(
  lc: LocalCluster,
  spec: ClusterSpec,
): Promise<'started' | 'stopped' | 'unchanged'> {
  const wanted = (spec.platform.local?.keeper ?? true) && !spec.hibernate;
  const running = keeperPid(lc) !== undefined;
  if (!wanted) return (await stopKeeper(lc)) ? 'stopped' : 'unchanged';
  // Members it gave up on come back with this `up`: they start over.
  writeFileAtomic(lc.paths.keeper.state, '{}\n', 0o644);
  if (running) return 'unchanged';
  const me = userInfo();
  const pid = spawnDaemon({
    command: process.execPath,
    args: [...entry(), lc.stateDir, lc.name],
    logFile: lc.paths.keeper.log,
    cwd: lc.paths.root,
    user: { name: me.username, uid: me.uid, gid: me.gid, switched: false },
    env: {
      PGCLUSTER_STATE_DIR: lc.stateDir,
      ...(process.env.PGCLUSTER_RUN_AS ? { PGCLUSTER_RUN_AS: process.env.PGCLUSTER_RUN_AS } : {}),
    },
  });
  writeFileAtomic(lc.paths.keeper.pid, `${pid}\n`, 0o644);
  return 'started';
}
