/**
 * The backup scheduler that lives with a local cluster: one daemon per cluster (cmd/backup-scheduler.ts)
 * that runs backup.schedule's cron expressions with croner. `up` starts it, restarts it when the
 * schedule changes and stops it when there is none; `down` and `destroy` stop it.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { ClusterSpec } from '../../spec/cluster';
import { BACKUP_TYPES } from '../../spec/backup';
import type { LocalCluster } from './cluster-context';
import { isAlive, readPid, spawnDaemon, stopPid } from './process';
import { writeFileAtomic } from './state';

export interface SchedulerConfig {
  name: string;
  stateDir: string;
  schedule: Partial<Record<(typeof BACKUP_TYPES)[number], string>>;
}

export function schedulerPid(lc: LocalCluster): number | undefined {
  const pid = readPid(lc.paths.backup.schedulerPid);
  return isAlive(pid) ? pid : undefined;
}

/** The daemon's entry (cmd/backup-scheduler): the compiled file, or the TypeScript one through tsx (tests). */
function entry(): string[] {
  const js = join(__dirname, '..', '..', 'cmd', 'backup-scheduler.js');
  if (existsSync(js)) return [js];
  return [
    '--import',
    pathToFileURL(require.resolve('tsx')).href,
    join(__dirname, '..', '..', 'cmd', 'backup-scheduler.ts'),
  ];
}

export async function stopScheduler(lc: LocalCluster): Promise<boolean> {
  const pid = schedulerPid(lc);
  if (!pid) return false;
  await stopPid(pid, 'SIGTERM', 10_000);
  rmSync(lc.paths.backup.schedulerPid, { force: true });
  return true;
}

/** Makes the scheduler match the spec; returns what it did, for the report. */
export async function syncScheduler(
  lc: LocalCluster,
  spec: ClusterSpec,
): Promise<'started' | 'restarted' | 'stopped' | 'unchanged'> {
  const schedule = Object.fromEntries(
    BACKUP_TYPES.filter((t) => spec.backup?.schedule[t]).map((t) => [t, spec.backup!.schedule[t] as string]),
  );
  if (Object.keys(schedule).length === 0) {
    const stopped = await stopScheduler(lc);
    rmSync(lc.paths.backup.schedulerConfig, { force: true });
    return stopped ? 'stopped' : 'unchanged';
  }
  const config: SchedulerConfig = { name: spec.name, stateDir: lc.stateDir, schedule };
  const text = `${JSON.stringify(config, null, 2)}\n`;
  const same =
    existsSync(lc.paths.backup.schedulerConfig) &&
    readFileSync(lc.paths.backup.schedulerConfig, 'utf8') === text;
  const running = schedulerPid(lc) !== undefined;
  if (same && running) return 'unchanged';
  if (running) await stopScheduler(lc);
  writeFileAtomic(lc.paths.backup.schedulerConfig, text, 0o600);
  const me = userInfo();
  // It runs as the invoking user and starts each pgbackrest as the cluster's run user.
  const pid = spawnDaemon({
    command: process.execPath,
    args: [...entry(), lc.paths.root],
    logFile: lc.paths.backup.schedulerLog,
    cwd: lc.paths.backup.dir,
    user: { name: me.username, uid: me.uid, gid: me.gid, switched: false },
    env: {
      PGCLUSTER_STATE_DIR: lc.stateDir,
      ...(process.env.PGCLUSTER_RUN_AS ? { PGCLUSTER_RUN_AS: process.env.PGCLUSTER_RUN_AS } : {}),
    },
  });
  writeFileAtomic(lc.paths.backup.schedulerPid, `${pid}\n`, 0o644);
  return running ? 'restarted' : 'started';
}
