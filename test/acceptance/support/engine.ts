/**
 * The Pulumi engine built by tools/pulumi (`npm run tools:pulumi`) for acceptance tests: where its
 * binaries are, and an isolated environment for it — a file backend and PULUMI_HOME in a temp dir,
 * passphrase secrets, no update check, no plugin download, the built binaries first on PATH, and a
 * local-platform state dir of its own (PGCLUSTER_STATE_DIR).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ROOT, tempStateDir } from '../../helpers/cli';

/** PULUMI_BIN_DIR, else where tools/pulumi/build.sh puts the binaries for our @pulumi/pulumi. */
export const ENGINE_BIN =
  process.env.PULUMI_BIN_DIR ??
  execFileSync('bash', [join(ROOT, 'tools', 'pulumi', 'build.sh'), '--print-bin'], {
    encoding: 'utf8',
  }).trim();

/** What running a Node.js program through the engine needs (the program host replaces the language host). */
export const NODE_PROGRAM_BINARIES = ['pulumi', 'pulumi-resource-pulumi-nodejs'];

/** A skip reason naming the missing binaries, or false when they are all built. */
export function engineMissing(binaries: readonly string[] = NODE_PROGRAM_BINARIES): string | false {
  const missing = binaries.filter((b) => !existsSync(join(ENGINE_BIN, b)));
  return missing.length > 0
    ? `run npm run tools:pulumi: not built in ${ENGINE_BIN}: ${missing.join(', ')}`
    : false;
}

export interface Sandbox {
  /** The local platform's state dir (0755, so the unprivileged run user can enter it). */
  stateDir: string;
  /** The file backend's directory (holds the stacks' state files). */
  backendDir: string;
  env: NodeJS.ProcessEnv;
  cleanup: () => void;
}

export function engineSandbox(label: string, passphrase: string): Sandbox {
  const home = mkdtempSync(join(tmpdir(), `pgc-engine-${label}-`));
  const state = tempStateDir(label);
  const backendDir = join(home, 'backend');
  mkdirSync(backendDir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: [ENGINE_BIN, dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
    PULUMI_HOME: join(home, 'pulumi-home'),
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_SKIP_UPDATE_CHECK: '1',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
    PULUMI_SKIP_CONFIRMATIONS: 'true',
    PGCLUSTER_STATE_DIR: state.dir,
  };
  return {
    stateDir: state.dir,
    backendDir,
    env,
    cleanup: () => {
      state.cleanup();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
