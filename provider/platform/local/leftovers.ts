/** The last safety net of destroy: any process still using the cluster's directory is killed. */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { stopPid } from './process';

function usesDir(pid: number, dir: string): boolean {
  const prefix = `${dir}/`;
  const within = (path: string) => path === dir || path.includes(prefix);
  try {
    if (within(readlinkSync(`/proc/${pid}/cwd`))) return true;
  } catch {
    // gone, or not ours to read
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some(within);
  } catch {
    return false;
  }
}

/** This process and its parents (the shell that ran us may sit in the directory). */
function ancestors(): Set<number> {
  const out = new Set<number>();
  let pid = process.pid;
  while (pid > 1 && !out.has(pid)) {
    out.add(pid);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return out;
}

export async function killLeftovers(dir: string): Promise<number> {
  const root = dir.replace(/\/+$/, '');
  const mine = ancestors();
  const pids = readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => !mine.has(pid) && usesDir(pid, root));
  await Promise.all(pids.map((pid) => stopPid(pid, 'SIGKILL', 2000)));
  return pids.length;
}
