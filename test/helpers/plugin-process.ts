/**
 * A gRPC plugin process started the way the Pulumi engine starts one: it prints its port as the
 * first line of stdout, then serves until it is stopped (by its PID only).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PluginProcess {
  pid: number;
  /** `127.0.0.1:<port>`, as printed by the plugin. */
  address: string;
  /** stdout after the port line, and stderr: for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface PluginOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the port line. */
  timeoutMs?: number;
}

export function startPluginProcess(
  command: string,
  args: readonly string[],
  options: PluginOptions,
): Promise<PluginProcess> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(String(code ?? signal)));
    child.once('error', (error) => resolve(error.message));
  });

  return new Promise<PluginProcess>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (running(child) && pid !== undefined) process.kill(pid, 'SIGKILL');
      reject(new Error(`${command} ${why}\nstdout: ${stdout}\nstderr: ${stderr}`));
    };
    const timer = setTimeout(() => fail('printed no port'), options.timeoutMs ?? 30_000);
    void exited.then((how) => fail(`exited (${how}) before printing its port`));
    const onData = (d: Buffer) => {
      stdout += d.toString();
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      const port = Number(stdout.slice(0, newline).trim());
      if (!Number.isInteger(port) || port <= 0)
        return fail(`printed "${stdout.slice(0, newline)}", not a port`);
      settled = true;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      stdout = stdout.slice(newline + 1);
      child.stdout.on('data', (more: Buffer) => (stdout += more.toString()));
      resolve({
        pid: pid!,
        address: `127.0.0.1:${port}`,
        output: () => `${stdout}${stderr}`,
        stop: (graceMs = 5_000) => stopProcess(child, exited, graceMs),
      });
    };
    child.stdout.on('data', onData);
  });
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function stopProcess(child: ChildProcess, exited: Promise<string>, graceMs: number): Promise<void> {
  if (!running(child) || child.pid === undefined) return;
  process.kill(child.pid, 'SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!stopped && running(child)) {
    process.kill(child.pid, 'SIGKILL');
    await exited;
  }
}
