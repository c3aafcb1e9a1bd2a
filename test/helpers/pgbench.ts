/**
 * pgbench run the way a user runs it, with a per-transaction log (`-l`), so a run tells how many
 * transactions failed, whether a client aborted (a connection error ends a pgbench client) and the
 * longest latency of one transaction: the stall a client saw. The password goes through
 * PGPASSWORD, never an argument.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgbenchResult {
  code: number;
  output: string;
  processed: number;
  failed: number;
  /** Clients that ended on an error (pgbench: "client N aborted"). */
  aborted: number;
  /** Longest single transaction, ms (from the per-transaction log). */
  maxLatencyMs: number;
  /** When that transaction started, ms since epoch. */
  maxLatencyStartedAt: number;
  tps: number;
}

/** Splits `postgresql://user:password@host:port/db` into pgbench's connection options. */
export function pgbenchTarget(uri: string): { args: string[]; password: string } {
  const u = new URL(uri);
  return {
    args: [
      '-h',
      u.hostname,
      '-p',
      u.port,
      '-U',
      decodeURIComponent(u.username),
      decodeURIComponent(u.pathname.slice(1)),
    ],
    password: decodeURIComponent(u.password),
  };
}

export function pgbench(uri: string, args: readonly string[]): { done: Promise<PgbenchResult>; pid: number } {
  const dir = mkdtempSync(join(tmpdir(), 'pgc-day2-pgbench-'));
  const target = pgbenchTarget(uri);
  const log = args.includes('-i') ? [] : ['-l', '--log-prefix', join(dir, 'tx')]; // -i takes no log
  const child = spawn('pgbench', [...args, ...log, ...target.args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PGPASSWORD: target.password },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const done = new Promise<PgbenchResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      try {
        resolve(parse(code ?? -1, output, dir));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
  return { done, pid: child.pid ?? -1 };
}

function number(output: string, re: RegExp): number {
  const m = re.exec(output);
  return m ? Number(m[1]) : NaN;
}

function parse(code: number, output: string, dir: string): PgbenchResult {
  let maxLatencyMs = 0;
  let maxLatencyStartedAt = 0;
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      // client_id transaction_no time script_no time_epoch time_us
      const f = line.trim().split(/\s+/);
      if (f.length < 6) continue;
      const latencyMs = Number(f[2]) / 1000;
      if (latencyMs > maxLatencyMs) {
        maxLatencyMs = latencyMs;
        maxLatencyStartedAt = Number(f[4]) * 1000 + Number(f[5]) / 1000 - latencyMs;
      }
    }
  }
  return {
    code,
    output,
    processed: number(output, /number of transactions actually processed: (\d+)/),
    failed: number(output, /number of failed transactions: (\d+)/),
    aborted: (output.match(/client \d+ (?:script \d+ )?aborted/g) ?? []).length,
    maxLatencyMs,
    maxLatencyStartedAt,
    tps: number(output, /tps = ([\d.]+)/),
  };
}
