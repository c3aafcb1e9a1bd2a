/**
 * How far a running backup is: pgBackRest's `info` reads the backup lock on this host, where the
 * backup records its percentage done (`status.lock.backup["pct-cplt"]`, hundredths of a percent).
 * `takeBackup` polls it while the backup runs.
 */
import type { ClusterAccess } from '../platform/types';
import type { Reporter } from '../report/reporter';
import { sleep } from '../util/sleep';

const EVERY_MS = 2000;

/** The percentage done of the running backup in `pgbackrest info --output=json`, if it reports one. */
export function backupPercent(infoJson: string, stanza: string): number | undefined {
  try {
    const all = JSON.parse(infoJson) as {
      name?: string;
      status?: { lock?: { backup?: Record<string, unknown> } };
    }[];
    const lock = (all.find((s) => s.name === stanza) ?? all[0])?.status?.lock?.backup;
    const pct = lock?.['pct-cplt'];
    return lock?.held === true && typeof pct === 'number' ? pct / 100 : undefined;
  } catch {
    return undefined;
  }
}

/** Polls the backup's progress until `stop` is called; reports it as `task`. */
export function watchBackup(
  access: Required<Pick<ClusterAccess, 'pgbackrest'>>,
  stanza: string,
  task: string,
  reporter: Reporter,
): { stop(succeeded: boolean): Promise<void> } {
  let running = true;
  let seen = false;
  const loop = (async () => {
    while (running) {
      await sleep(EVERY_MS);
      if (!running) break;
      const res = await access
        .pgbackrest([`--stanza=${stanza}`, '--output=json', 'info'], 30_000)
        .catch(() => undefined);
      const pct = res?.code === 0 ? backupPercent(res.stdout, stanza) : undefined;
      if (running && pct !== undefined) {
        seen = true;
        reporter.progress?.({ task, done: pct, total: 100, unit: 'percent' });
      }
    }
  })();
  return {
    async stop(succeeded: boolean) {
      running = false;
      await loop;
      if (seen && succeeded)
        reporter.progress?.({ task, done: 100, total: 100, unit: 'percent', finished: true });
    },
  };
}
