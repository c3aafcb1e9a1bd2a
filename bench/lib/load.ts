/**
 * Load for the timing bench: pgbench (password through PGPASSWORD, never on the command line) and
 * CPU hogs. Every process is started by this module, tracked by PID and stopped by PID.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { processAlive } from '../../test/helpers/pg';
import { onCleanup } from './cleanup';

export const PGBENCH = '/usr/lib/postgresql/15/bin/pgbench';

export interface PgbenchResult {
  code: number | null;
  tps?: number;
  transactions?: number;
  failed?: number;
  /** pgbench reported aborted clients or connection errors. */
  aborted: boolean;
  seconds: number;
  output: string;
}

/** Splits `postgresql://user:password@hosts/db?...` into the URI without the password, and the password. */
export function withoutPassword(uri: string): { uri: string; password: string } {
  const m = /^(postgresql:\/\/[^:@/]+):([^@]*)@(.*)$/.exec(uri);
  if (!m) return { uri, password: '' };
  return { uri: `${m[1]}@${m[3]}`, password: decodeURIComponent(m[2] as string) };
}

function kill(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid && processAlive(pid)) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Runs pgbench to completion against `uri` (whose password moves to PGPASSWORD). */
export function runPgbench(uri: string, args: readonly string[], timeoutMs: number): Promise<PgbenchResult> {
  const target = withoutPassword(uri);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(PGBENCH, [...args, target.uri], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PGPASSWORD: target.password, PGCONNECT_TIMEOUT: '5' },
    });
    const forget = onCleanup(`stop pgbench ${child.pid}`, () => kill(child.pid, 'SIGKILL'));
    const timer = setTimeout(() => kill(child.pid, 'SIGINT'), timeoutMs);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      forget();
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      forget();
      const num = (re: RegExp) => {
        const m = re.exec(output);
        return m ? Number(m[1]) : undefined;
      };
      resolve({
        code,
        tps: num(/^tps = ([\d.]+)/m),
        transactions: num(/number of transactions actually processed: (\d+)/),
        failed: num(/number of failed transactions: (\d+)/),
        aborted: /aborted|connection to server .* failed|server closed the connection/i.test(output),
        seconds: (Date.now() - started) / 1000,
        output,
      });
    });
  });
}

export interface Hogs {
  pids: number[];
  stop(): void;
}

/** `count` busy loops (one per core keeps every core at 100 %), same priority as the cluster. */
export function startHogs(count: number): Hogs {
  const pids: number[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawn('/bin/sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
    if (child.pid) pids.push(child.pid);
  }
  const stop = () => pids.forEach((pid) => kill(pid, 'SIGKILL'));
  const forget = onCleanup(`stop CPU hogs ${pids.join(', ')}`, stop);
  return {
    pids,
    stop: () => {
      stop();
      forget();
    },
  };
}

/** Jiffies of all CPUs from /proc/stat: busy (everything but idle and iowait) and total. */
export function cpuTimes(): { busy: number; total: number } {
  const [, ...fields] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const v = fields.slice(0, 8).map(Number); // user nice system idle iowait irq softirq steal (guest is in user)
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

/** Share of CPU time busy between two cpuTimes() readings, 0..1. */
export function busyShare(
  from: { busy: number; total: number },
  to: { busy: number; total: number },
): number {
  const total = to.total - from.total;
  return total > 0 ? (to.busy - from.busy) / total : 0;
}
