/**
 * A Pulumi Node.js project driven through the real `pulumi` CLI: staged in a temp dir (so stack
 * config files never land in the repo), and each engine command served by
 * tools/pulumi/program-host.mjs (`--client`), the in-process language host of the Automation API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  existsSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../../helpers/cli';
import type { Sandbox } from './engine';

const PROGRAM_HOST = join(ROOT, 'tools', 'pulumi', 'program-host.mjs');
/** Commands that run (or may run) the program, so the engine needs a language host. */
const PROGRAM_COMMANDS = new Set(['up', 'preview', 'refresh', 'destroy']);

export interface Run {
  code: number | null;
  /** stdout and stderr, interleaved. */
  output: string;
  /** The command ran past its timeoutMs and was stopped (SIGTERM, then SIGKILL). */
  timedOut?: boolean;
}

export interface RunOptions {
  /** Stop the command (and report timedOut) when it has not exited after this long. */
  timeoutMs?: number;
}

export interface Project {
  dir: string;
  /** Runs `pulumi <args>` in the project (non-interactive, no colour). */
  pulumi: (args: string[], options?: RunOptions) => Promise<Run>;
  /** Like pulumi, but fails with the output unless the command exits 0. */
  pulumiOk: (args: string[]) => Promise<string>;
  remove: () => void;
}

/**
 * Copies the example's files and links its two dependencies the way `npm install` does for
 * `file:` and an already-installed package (symlinks), without the network: pulumi-pgcluster is
 * this repo (built dist/), @pulumi/pulumi is the repo's, so the program and the dynamic-provider
 * host share one copy.
 */
export function stageProject(example: string, sandbox: Sandbox): Project {
  const dir = mkdtempSync(join(tmpdir(), 'pgc-project-'));
  for (const file of readdirSync(example).filter((f) => /\.(ts|json|yaml)$/.test(f)))
    copyFileSync(join(example, file), join(dir, file));
  mkdirSync(join(dir, 'node_modules', '@pulumi'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'pulumi-pgcluster'));
  symlinkSync(
    join(ROOT, 'node_modules', '@pulumi', 'pulumi'),
    join(dir, 'node_modules', '@pulumi', 'pulumi'),
  );
  // A Node.js program runs in our program host (its language host is refused); others the engine runs.
  // An Automation API example has no Pulumi.yaml: its inline programs run in its own process.
  const manifest = join(dir, 'Pulumi.yaml');
  const node = !existsSync(manifest) || /^runtime:\s*nodejs\b/m.test(readFileSync(manifest, 'utf8'));
  const pulumi = (args: string[], options: RunOptions = {}) =>
    runPulumi(dir, sandbox.env, args, node, options);
  return {
    dir,
    pulumi,
    pulumiOk: async (args) => {
      const run = await pulumi(args);
      if (run.code !== 0) throw new Error(`pulumi ${args.join(' ')} exited ${run.code}\n${run.output}`);
      return run.output;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function runPulumi(
  dir: string,
  env: NodeJS.ProcessEnv,
  args: string[],
  node = true,
  options: RunOptions = {},
): Promise<Run> {
  const flags = ['--non-interactive', '--color', 'never'];
  if (!node || !PROGRAM_COMMANDS.has(args[0] ?? ''))
    return spawnCollect('pulumi', [...args, ...flags], dir, env, options);
  const host = await startProgramHost(dir, env);
  try {
    return await spawnCollect('pulumi', [...args, ...flags, `--client=${host.address}`], dir, env, options);
  } finally {
    await host.stop();
  }
}

function spawnCollect(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  options: RunOptions = {},
): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    let kill: NodeJS.Timeout | undefined;
    // Past timeoutMs: SIGTERM (the engine cancels and stops its plugins), SIGKILL 15 s later.
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGTERM');
            kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
          }, options.timeoutMs);
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      clearTimeout(kill);
      resolvePromise({ code, output, ...(timedOut ? { timedOut } : {}) });
    });
  });
}

interface ProgramHost {
  address: string;
  stop: () => Promise<void>;
}

/** Starts the program host for one command; stop() closes its stdin, then kills it by PID. */
function startProgramHost(dir: string, env: NodeJS.ProcessEnv): Promise<ProgramHost> {
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', tsx, PROGRAM_HOST, dir], {
    cwd: dir,
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const stop = () => stopHost(child);
  return new Promise((resolvePromise, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`program host exited ${code} before serving: ${out}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = /^(127\.0\.0\.1:\d+)\n/.exec(out);
      if (line) resolvePromise({ address: line[1] as string, stop });
    });
  });
}

function stopHost(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.stdin!.end();
  });
}
