/**
 * How far a running backup is: pgBackRest's `info` reads the backup lock on this host, where the
 * backup records its percentage done. pgBackRest 2.45 shows it in the text output only
 * (`status: ... (backup/expire running - 45.23% complete)`; its JSON has `"held": true` and no
 * `pct-cplt`), so the text is what `takeBackup` polls while the backup runs.
 */
import type { ClusterAccess } from '../platform/types';
import type { Reporter } from '../report/reporter';
import { sleep } from '../util/sleep';

const EVERY_MS = 1000;

/** The percentage done of the running backup in `pgbackrest --stanza=S info` (text), if it reports one. */
export function backupPercent(infoText: string): number | undefined {
  const m = /backup\/expire running - (\d+)\.(\d{2})% complete/.exec(infoText);
  return m ? Number(m[1]) + Number(m[2]) / 100 : undefined;
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
      const res = await access.pgbackrest([`--stanza=${stanza}`, 'info'], 30_000).catch(() => undefined);
      const pct = res?.code === 0 ? backupPercent(res.stdout) : undefined;
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
