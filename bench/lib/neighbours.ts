/**
 * Other work on the machine while a bench runs (other test suites share these 2 cores): samples
 * /proc and adds up the CPU time of every process that is not the bench's, so the report can say
 * whether the figures may have been disturbed.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Proc {
  pid: number;
  ppid: number;
  cpuTicks: number;
  startTicks: number;
  cmd: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return {
      pid,
      ppid: Number(f[1]),
      cpuTicks: Number(f[11]) + Number(f[12]),
      startTicks: Number(f[19]),
      cmd,
    };
  } catch {
    return undefined;
  }
}

function uptimeTicks(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * TICKS_PER_SECOND;
}

export interface NeighbourReport {
  wallSeconds: number;
  /** CPU seconds used by processes that are not the bench's (short-lived ones between samples are missed). */
  foreignCpuSeconds: number;
  /** foreignCpuSeconds as a share of the machine's capacity over the bench (all cores). */
  foreignShareOfMachine: number;
  /** The busiest foreign command lines, with their CPU seconds. */
  busiest: Array<{ cmd: string; cpuSeconds: number }>;
}

export class Neighbours {
  private readonly startedTicks = uptimeTicks();
  private readonly startedAt = Date.now();
  private readonly last = new Map<number, number>();
  private readonly used = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  /** `ours(cmd)` says whether a command line belongs to the bench (its clusters, pgbench, hogs). */
  constructor(
    private readonly ours: (cmd: string) => boolean,
    private readonly cores: number,
  ) {}

  start(intervalMs = 1000): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const procs = readdirSync('/proc')
      .filter((e) => /^\d+$/.test(e))
      .map((e) => readProc(Number(e)))
      .filter((p): p is Proc => p !== undefined);
    const mine = new Set<number>([process.pid]);
    // Descendants of this process (CLI runs, pgbench, hogs) are ours.
    for (let grew = true; grew;) {
      grew = false;
      for (const p of procs)
        if (!mine.has(p.pid) && mine.has(p.ppid)) {
          mine.add(p.pid);
          grew = true;
        }
    }
    for (const p of procs) {
      if (mine.has(p.pid) || this.ours(p.cmd) || p.cmd === '') continue;
      const previous = this.last.get(p.pid) ?? (p.startTicks >= this.startedTicks ? 0 : p.cpuTicks);
      const delta = Math.max(0, p.cpuTicks - previous);
      this.last.set(p.pid, p.cpuTicks);
      if (delta > 0) this.used.set(p.cmd.slice(0, 100), (this.used.get(p.cmd.slice(0, 100)) ?? 0) + delta);
    }
  }

  stop(): NeighbourReport {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const wallSeconds = (Date.now() - this.startedAt) / 1000;
    const total = [...this.used.values()].reduce((a, b) => a + b, 0) / TICKS_PER_SECOND;
    return {
      wallSeconds,
      foreignCpuSeconds: total,
      foreignShareOfMachine: wallSeconds > 0 ? total / (wallSeconds * this.cores) : 0,
      busiest: [...this.used.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([cmd, ticks]) => ({ cmd, cpuSeconds: ticks / TICKS_PER_SECOND })),
    };
  }
}

export function describeNeighbours(r: NeighbourReport): string {
  const share = `${(r.foreignShareOfMachine * 100).toFixed(1)} %`;
  const head = `other processes used ${r.foreignCpuSeconds.toFixed(1)} CPU-s over ${r.wallSeconds.toFixed(0)} s (${share} of the machine)`;
  const top = r.busiest
    .filter((b) => b.cpuSeconds >= 1)
    .map((b) => `    ${b.cpuSeconds.toFixed(1)} s  ${b.cmd}`);
  return top.length > 0 ? `${head}; busiest:\n${top.join('\n')}` : head;
}
