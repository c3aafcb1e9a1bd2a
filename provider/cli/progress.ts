/**
 * The CLI's reporter: on a terminal, progress bars (cli-progress) for the long steps, with the
 * step lines printed above them; anywhere else (a pipe, a log file, CI) plain lines, a progress
 * line every few seconds (report/reporter.ts).
 */
import { MultiBar, type Options, type Params, type SingleBar } from 'cli-progress';
import { consoleReporter, formatBytes, RateMeter, type Progress, type Reporter } from '../report/reporter';

interface TtyStream {
  isTTY?: boolean;
  write(chunk: string): boolean;
}

interface BarPayload {
  task: string;
  done: number;
  total?: number;
  rate?: number;
  unit?: Progress['unit'];
}

/** One bar's text: `demo-3: copying from demo-1 [=====-----] 40% 120.0 MiB of 300.0 MiB, 60.0 MiB/s`. */
export function barLine(options: Options, params: Params, payload: BarPayload): string {
  const size = options.barsize ?? 30;
  const known = payload.total !== undefined && payload.total > 0;
  const filled = known ? Math.round(Math.min(1, params.progress) * size) : 0;
  const bar = known
    ? `[${'='.repeat(filled)}${'-'.repeat(size - filled)}] ${Math.floor(params.progress * 100)}% `
    : '';
  if (payload.unit === 'percent') return `${payload.task} ${bar}`.trimEnd();
  const of = known ? ` of ${formatBytes(payload.total as number)}` : '';
  const rate = payload.rate !== undefined && payload.rate > 0 ? `, ${formatBytes(payload.rate)}/s` : '';
  return `${payload.task} ${bar}${formatBytes(payload.done)}${of}${rate}`;
}

export function ttyReporter(stream: TtyStream): Reporter {
  let bars: MultiBar | undefined;
  const byTask = new Map<string, SingleBar>();
  const meter = new RateMeter();
  const lines = consoleReporter((line) => {
    if (bars) bars.log(`${line}\n`);
    else stream.write(`${line}\n`);
  });
  const stopAll = () => {
    bars?.stop();
    bars = undefined;
    byTask.clear();
  };
  return {
    step: (message) => lines.step(message),
    done: (summary) => {
      stopAll();
      lines.done(summary);
    },
    progress: (p: Progress) => {
      bars ??= new MultiBar({
        stream: stream as NodeJS.WritableStream,
        format: barLine as unknown as Options['format'],
        barsize: 30,
        hideCursor: false,
        clearOnComplete: false,
        stopOnComplete: false,
        fps: 5,
      });
      const payload: BarPayload = {
        task: p.task,
        done: p.done,
        total: p.total,
        rate: meter.rate(p),
        unit: p.unit,
      };
      const total = p.total && p.total > 0 ? p.total : Math.max(p.done, 1);
      let bar = byTask.get(p.task);
      if (!bar) {
        bar = bars.create(total, p.done, payload);
        byTask.set(p.task, bar);
      } else {
        bar.setTotal(total);
        bar.update(p.done, payload);
      }
      if (p.finished) {
        bar.update(total, payload);
        bar.stop();
        byTask.delete(p.task);
        if (byTask.size === 0) stopAll();
      }
    },
  };
}

/** Bars on a terminal (stderr), plain lines elsewhere. */
export function cliReporter(stream: TtyStream = process.stderr): Reporter {
  return stream.isTTY ? ttyReporter(stream) : consoleReporter((l) => stream.write(`${l}\n`));
}
