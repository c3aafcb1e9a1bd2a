/** Runs the built `pgcluster` CLI the way a user does, against a throw-away state dir. */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'pgcluster.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A state dir the unprivileged run user can enter (mkdtemp makes 0700 dirs). */
export function tempStateDir(label: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join('/tmp', `pgc-${label}-`));
  chmodSync(dir, 0o755);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function cli(
  stateDir: string,
  args: string[],
  input?: string,
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, '--state-dir', stateDir, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, PGCLUSTER_STATE_DIR: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Runs the CLI and fails with its output unless it exits 0. */
export async function cliOk(stateDir: string, args: string[]): Promise<CliResult> {
  const result = await cli(stateDir, args);
  if (result.code !== 0)
    throw new Error(`pgcluster ${args.join(' ')} exited ${result.code}\n${result.stderr}\n${result.stdout}`);
  return result;
}
