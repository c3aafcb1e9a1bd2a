/**
 * Which Patroni the local platform runs: the one named by PGCLUSTER_PATRONI, else the pinned one
 * that tools/patroni/install.sh (run by scripts/setup.sh) put in a venv keyed by its lock, else
 * `patroni` on PATH. Anything older than 4.0 is refused, naming the version found and the fix.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../errors';

/** The lowest Patroni major pgcluster speaks: 4.0 names the primary `primary` and has quorum commit. */
export const MIN_PATRONI_MAJOR = 4;

export interface FoundPatroni {
  /** The `patroni` executable. */
  path: string;
  /** Where it was found: the environment, the pinned venv, or PATH. */
  source: 'PGCLUSTER_PATRONI' | 'pinned' | 'PATH';
}

function packageRoot(): string {
  // provider/platform/local (tsx) and dist/platform/local (compiled) are both three levels down.
  return join(__dirname, '..', '..', '..');
}

/** The lock tools/patroni/install.sh installs from. */
export function patroniLockFile(): string {
  return join(packageRoot(), 'tools', 'patroni', 'requirements.txt');
}

/** The version of Patroni the lock pins, e.g. `4.1.5`. */
export function pinnedPatroniVersion(lockText = readFileSync(patroniLockFile(), 'utf8')): string {
  const match = /^patroni==(\S+)/m.exec(lockText);
  if (!match) throw new Error(`${patroniLockFile()}: no patroni== line`);
  return match[1] as string;
}

/**
 * The venv directories the pinned Patroni may be in (the same rule as tools/patroni/install.sh):
 * the current user's cache, then the system-wide one that root's setup writes.
 */
export function pinnedVenvDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.PGCLUSTER_PATRONI_VENV) return [env.PGCLUSTER_PATRONI_VENV];
  const lock = readFileSync(patroniLockFile(), 'utf8');
  const leaf = `patroni-${pinnedPatroniVersion(lock)}-${createHash('sha256').update(lock).digest('hex').slice(0, 12)}`;
  const system = '/var/cache/pgcluster';
  const user =
    userInfo().uid === 0 ? system : join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pgcluster');
  return [...new Set([join(user, leaf), join(system, leaf)])];
}

export function findPatroni(
  which: (name: string) => string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): FoundPatroni | undefined {
  if (env.PGCLUSTER_PATRONI) return { path: env.PGCLUSTER_PATRONI, source: 'PGCLUSTER_PATRONI' };
  for (const dir of pinnedVenvDirs(env)) {
    const path = join(dir, 'bin', 'patroni');
    if (existsSync(path) && existsSync(join(dir, '.stamp'))) return { path, source: 'pinned' };
  }
  const onPath = which('patroni');
  return onPath ? { path: onPath, source: 'PATH' } : undefined;
}

const versions = new Map<string, string>();

/** The installed version of the Patroni that `python` runs (package metadata; `patroni --version` otherwise). */
export function patroniVersion(python: string, patroni: string): string {
  const key = `${python}\0${patroni}`;
  const known = versions.get(key);
  if (known) return known;
  let out: string;
  try {
    out = execFileSync(python, ['-c', "from importlib.metadata import version; print(version('patroni'))"], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    });
  } catch {
    out = execFileSync(patroni, ['--version'], { encoding: 'utf8', timeout: 30_000 }).replace(
      /^patroni\s+/i,
      '',
    );
  }
  const version = out.trim();
  versions.set(key, version);
  return version;
}

/** Refuses a Patroni older than 4.0, with what to do. */
export function checkPatroniVersion(found: FoundPatroni, version: string): void {
  const major = Number.parseInt(version, 10);
  if (Number.isInteger(major) && major >= MIN_PATRONI_MAJOR) return;
  const pinned = pinnedPatroniVersion();
  const via =
    found.source === 'PGCLUSTER_PATRONI'
      ? ' (PGCLUSTER_PATRONI)'
      : found.source === 'PATH'
        ? ' (on PATH)'
        : '';
  throw new InputError(
    `Patroni ${version} at ${found.path}${via} is older than ${MIN_PATRONI_MAJOR}.0, which pgcluster needs ` +
      '(the `primary` role name, quorum commit); nothing was started. Install the pinned Patroni ' +
      `${pinned} with scripts/setup.sh (or tools/patroni/install.sh), into ${pinnedVenvDirs()[0]}, ` +
      `or set PGCLUSTER_PATRONI to a patroni ${MIN_PATRONI_MAJOR}.x executable`,
  );
}
