/** Detached daemons: start with setsid and closed stdin, find by PID file, stop by PID. */
import { spawn } from 'node:child_process';
import { closeSync, fchownSync, openSync, readFileSync } from 'node:fs';
import type { RunUser } from './run-user';

export interface DaemonOptions {
  command: string;
  args: string[];
  logFile: string;
  cwd: string;
  user: RunUser;
  env?: Record<string, string>;
}

/** Starts a process in its own session, stdin closed, stdout/stderr appended to logFile. */
export function spawnDaemon(opts: DaemonOptions): number {
  const log = openSync(opts.logFile, 'a', 0o600);
  try {
    if (opts.user.switched) fchownSync(log, opts.user.uid, opts.user.gid);
    const child = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
        LANG: 'C.UTF-8',
        HOME: opts.cwd,
        USER: opts.user.name,
        LOGNAME: opts.user.name,
        ...opts.env,
      },
      ...(opts.user.switched ? { uid: opts.user.uid, gid: opts.user.gid } : {}),
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${opts.command}`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** True when the PID is a live process (not a zombie). */
export function isAlive(pid: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The PID in the first line of a PID file (postmaster.pid, pgbouncer.pid, ...), if any. */
export function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n', 1)[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Process start time in clock ticks since boot (field 22 of /proc/PID/stat). */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return undefined;
  }
}

export { sleep } from '../../util/sleep';
import { sleep } from '../../util/sleep';

/** Sends `signal`, waits up to timeoutMs for the process to go, then SIGKILLs it. */
export async function stopPid(
  pid: number | undefined,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid as number, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) {
    try {
      process.kill(pid as number, 'SIGKILL');
    } catch {
      return;
    }
    while (isAlive(pid)) await sleep(20);
  }
}
