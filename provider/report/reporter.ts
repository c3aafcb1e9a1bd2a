/**
 * How actions tell a person what they do: steps with elapsed time, and one closing sentence.
 * The CLI prints to stderr; Pulumi adapters route it to pulumi.log.
 */
export interface Reporter {
  step(message: string): void;
  done(summary: string): void;
  /**
   * How far a long step is (a base backup, a restore, a replica catching up), as often as the
   * action learns it; the reporter decides how often to show it. Optional: a reporter without it
   * shows the steps only.
   */
  progress?(p: Progress): void;
}

export interface Progress {
  /** What progresses, the same string on every report of it: `backup full`, `demo-3: copying from demo-1`. */
  task: string;
  /** Done so far, in `unit`. */
  done: number;
  /** In all, when the tool reports it. */
  total?: number;
  /** Bytes (the default), or percent when the tool reports only that (pgBackRest's backup lock). */
  unit?: 'bytes' | 'percent';
  /** True on the last report of the task. */
  finished?: boolean;
}

export const silentReporter: Reporter = { step: () => undefined, done: () => undefined };

const PLAIN_PROGRESS_EVERY_MS = 5000;

/** Bytes in binary units, one decimal: `1.5 GiB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** Derives a task's rate from its reports (bytes per second since its first report). */
export class RateMeter {
  private readonly first = new Map<string, { at: number; done: number }>();
  constructor(private readonly now: () => number = Date.now) {}
  rate(p: Progress): number | undefined {
    const seen = this.first.get(p.task);
    if (!seen) {
      this.first.set(p.task, { at: this.now(), done: p.done });
      return undefined;
    }
    const seconds = (this.now() - seen.at) / 1000;
    return seconds > 0 ? (p.done - seen.done) / seconds : undefined;
  }
}

/** `backup full: 120.0 MiB of 300.0 MiB (40%), 60.0 MiB/s`: a progress report as one plain line. */
export function progressLine(p: Progress, rate?: number): string {
  if (p.unit === 'percent') return `${p.task}: ${p.done.toFixed(1)}%${p.finished ? ', done' : ''}`;
  const of = p.total
    ? ` of ${formatBytes(p.total)} (${Math.min(100, Math.floor((100 * p.done) / p.total))}%)`
    : '';
  const speed = rate !== undefined && rate > 0 ? `, ${formatBytes(rate)}/s` : '';
  return `${p.task}: ${formatBytes(p.done)}${of}${speed}${p.finished ? ', done' : ''}`;
}

export function consoleReporter(
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  now: () => number = Date.now,
): Reporter {
  const started = now();
  const elapsed = () => `${((now() - started) / 1000).toFixed(1).padStart(5)}s`;
  const meter = new RateMeter(now);
  const shown = new Map<string, number>();
  return {
    step: (message) => write(`[${elapsed()}] ${message}`),
    done: (summary) => write(`[${elapsed()}] ${summary}`),
    // Plain lines: the first report of a task, then one every 5 s, and the last one.
    progress: (p) => {
      const rate = meter.rate(p);
      const last = shown.get(p.task);
      if (last !== undefined && !p.finished && now() - last < PLAIN_PROGRESS_EVERY_MS) return;
      shown.set(p.task, now());
      write(`[${elapsed()}] ${progressLine(p, rate)}`);
    },
  };
}
