/**
 * Running the real tools from unit tests: temp dirs, free ports, one-shot commands and daemons.
 * PostgreSQL and PgBouncer refuse to run as root, so when the tests run as root every command runs
 * as the `postgres` OS user in directories chowned to it. Daemons are started detached and stopped
 * by their PID only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  chownSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Account {
  uid: number;
  gid: number;
}

/** The account servers run as: `postgres` when we are root, else ourselves (undefined). */
export const SERVICE_ACCOUNT: Account | undefined = (() => {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('postgres:'));
  if (!entry) throw new Error('the tests run as root, but there is no postgres OS user to run PostgreSQL as');
  const [, , uid, gid] = entry.split(':');
  return { uid: Number(uid), gid: Number(gid) };
})();

function env(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
}

/** A fresh temp dir owned by the service account. Remove it with removeDir. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `pgcluster-${prefix}-`));
  if (SERVICE_ACCOUNT) chownSync(dir, SERVICE_ACCOUNT.uid, SERVICE_ACCOUNT.gid);
  return dir;
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Writes a file the service account owns (mode 0600: rendered files may hold passwords). */
export function writeOwnedFile(path: string, text: string): string {
  writeFileSync(path, text, { mode: 0o600 });
  if (SERVICE_ACCOUNT) chownSync(path, SERVICE_ACCOUNT.uid, SERVICE_ACCOUNT.gid);
  return path;
}

export function appendToFile(path: string, text: string): void {
  appendFileSync(path, text);
}

export function readText(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion as the service account. */
export function run(
  command: string,
  args: readonly string[],
  cwd: string,
  options: { timeoutMs?: number; env?: Record<string, string> } = {},
): RunResult {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...env(cwd), ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    ...SERVICE_ACCOUNT,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Ports handed out in this process, so two daemons of one test file never get the same one. */
const handedOut = new Set<number>();

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A TCP port in 26000-26999 that is free on `host` (the range these unit tests use). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const start = 26000 + Math.floor(Math.random() * 1000);
  for (let i = 0; i < 1000; i++) {
    const port = 26000 + ((start - 26000 + i) % 1000);
    if (handedOut.has(port)) continue;
    if (await canListen(host, port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port in 26000-26999');
}

export interface Daemon {
  name: string;
  pid: number;
  logFile: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
}

/** Starts a long-running process detached, as the service account, its output in `logFile`. */
export function startDaemon(name: string, command: string, args: readonly string[], cwd: string): Daemon {
  const logFile = join(cwd, `${name}.out`);
  const fd = openSync(logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd,
      env: env(cwd),
      detached: true,
      stdio: ['ignore', fd, fd],
      ...SERVICE_ACCOUNT,
    });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (error) => resolve(error.message));
  });
  if (child.pid === undefined) throw new Error(`${name} did not start: ${command}`);
  return { name, pid: child.pid, logFile, child, exited };
}

export function daemonOutput(daemon: Daemon): string {
  return readText(daemon.logFile);
}

function running(daemon: Daemon): boolean {
  return daemon.child.exitCode === null && daemon.child.signalCode === null;
}

/** Stops a daemon by its PID: `signal`, then SIGKILL if it has not exited within `graceMs`. */
export async function stopDaemon(
  daemon: Daemon | undefined,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 10_000,
) {
  if (!daemon || !running(daemon)) return;
  process.kill(daemon.pid, signal);
  const stopped = await Promise.race([daemon.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!stopped && running(daemon)) {
    process.kill(daemon.pid, 'SIGKILL');
    await daemon.exited;
  }
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `ready` until it returns true; fails early, with the daemon's output, if the daemon exits. */
export async function waitUntil(
  daemon: Daemon,
  what: string,
  ready: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!running(daemon)) {
      throw new Error(
        `${daemon.name} exited (${await daemon.exited}) before ${what}:\n${daemonOutput(daemon)}`,
      );
    }
    if (await ready()) return;
    if (Date.now() > deadline)
      throw new Error(`${daemon.name}: timed out waiting for ${what}:\n${daemonOutput(daemon)}`);
    await sleep(100);
  }
}

export function waitForPort(daemon: Daemon, host: string, port: number, timeoutMs?: number): Promise<void> {
  return waitUntil(daemon, `listening on ${host}:${port}`, () => connects(host, port), timeoutMs);
}
