/**
 * replica.target: the unplanned promotion of a replica cluster's standby leader at a point in time.
 * Patroni cannot do it: it strips recovery_target* from a standby's recovery parameters
 * (build_recovery_params), so while Patroni is paused the member's PostgreSQL is restarted by hand
 * in targeted recovery: recovery.signal instead of standby.signal, and recovery_target_time with
 * recovery_target_action = promote (and no apply delay) on its command line, beside the options
 * Patroni started it with (postmaster.opts). It replays what it has (pg_wal, and the archive through
 * Patroni's restore_command) up to the time and promotes itself; Patroni adopts the running primary
 * once resumed. If the WAL ends before the time, PostgreSQL stops ("recovery ended before configured
 * recovery target was reached"): the member goes back to a standby, unchanged.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalCluster } from './cluster-context';
import type { TargetRecovery } from '../types';
import { isAlive, readPid, spawnDaemon, stopPid } from './process';
import { giveTo } from './run-user';
import { writeFileAtomic } from './state';

export interface TimeTarget {
  time: string;
  exclusive: boolean;
}

/** The arguments PostgreSQL was last started with (postmaster.opts: the binary, then quoted arguments). */
export function postmasterOptions(text: string): { binary: string; args: string[] } {
  const line = text.trim();
  const binary = line.split(/\s/, 1)[0] as string;
  const args = [...line.slice(binary.length).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) =>
    (m[1] as string).replace(/\\(.)/g, '$1'),
  );
  return { binary, args };
}

/** The command-line settings of a targeted recovery that promotes at `target`. */
export function targetSettings(target: TimeTarget): string[] {
  return [
    // Patroni's postgresql.conf blanks every recovery_target*; a blank read after recovery_target_time is
    // set fails ("At most one of recovery_target, ... may be set"). Blanked here first, they outrank the
    // file's (the command line wins), and recovery_target_time comes after them.
    'recovery_target=',
    'recovery_target_lsn=',
    'recovery_target_name=',
    'recovery_target_xid=',
    // PostgreSQL's recovery_target_time takes neither the ISO "T" nor "Z"; every digit is kept.
    `recovery_target_time=${target.time.replace('T', ' ').replace(/Z$/, '+00')}`,
    `recovery_target_inclusive=${target.exclusive ? 'off' : 'on'}`,
    'recovery_target_action=promote',
    'recovery_target_timeline=latest',
    'recovery_min_apply_delay=0',
  ].flatMap((setting) => ['-c', setting]);
}

/** The sizes of the member's PostgreSQL log files: what was written before a point in time. */
function logSizes(dir: string): Map<string, number> {
  const sizes = new Map<string, number>();
  if (existsSync(dir)) for (const f of readdirSync(dir)) sizes.set(f, statSync(join(dir, f)).size);
  return sizes;
}

/** What a PostgreSQL log directory got after `before`: the lines appended and the files created. */
function linesSince(dir: string, before: Map<string, number>): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const text = readFileSync(join(dir, f));
    return text
      .subarray(before.get(f) ?? 0)
      .toString('utf8')
      .split('\n');
  });
}

/**
 * Stops the member's PostgreSQL (fast) and starts it in targeted recovery; Patroni must be paused.
 * Returns how to tell that it failed: the postmaster it started is gone, with its last FATAL line.
 */
export async function restartInTargetRecovery(
  lc: LocalCluster,
  member: string,
  target: TimeTarget,
): Promise<TargetRecovery> {
  const p = lc.paths.member(member);
  const opts = postmasterOptions(readFileSync(join(p.data, 'postmaster.opts'), 'utf8'));
  const old = readPid(p.postmasterPid);
  await stopPid(old, 'SIGINT', 60_000);
  if (isAlive(old)) throw new Error(`${member}: PostgreSQL (pid ${old}) did not stop within 60 s`);
  rmSync(join(p.data, 'standby.signal'), { force: true });
  writeFileAtomic(join(p.data, 'recovery.signal'), '', 0o600);
  giveTo(lc.user, join(p.data, 'recovery.signal'));
  const before = logSizes(p.pgLogDir);
  const output = join(p.dir, 'target-recovery.log');
  rmSync(output, { force: true });
  const pid = spawnDaemon({
    command: opts.binary,
    args: [...opts.args, ...targetSettings(target)],
    logFile: output,
    cwd: p.dir,
    user: lc.user,
  });
  return {
    failure: () => {
      if (isAlive(pid)) return undefined;
      // Its standard error (before its logging collector ran), else its log's last FATAL line.
      const said = existsSync(output) ? readFileSync(output, 'utf8').trim().split('\n') : [];
      const fatal =
        said.filter((l) => /FATAL|PANIC/.test(l)).at(-1) ??
        linesSince(p.pgLogDir, before)
          .filter((l) => /FATAL|PANIC/.test(l) && !/administrator command/.test(l))
          .at(-1);
      if (fatal) return fatal.replace(/^.*?(FATAL|PANIC):\s*/, '');
      return said.at(-1)
        ? `PostgreSQL stopped: ${said.at(-1)}`
        : 'PostgreSQL stopped during the targeted recovery';
    },
  };
}

/** After a failed targeted recovery: the member a standby again, for Patroni to start once resumed. */
export function backToStandby(lc: LocalCluster, member: string): void {
  const p = lc.paths.member(member);
  rmSync(join(p.data, 'recovery.signal'), { force: true });
  writeFileAtomic(join(p.data, 'standby.signal'), '', 0o600);
  giveTo(lc.user, join(p.data, 'standby.signal'));
}
