/**
 * Backups on demand and the list of backups, through the platform's pgBackRest: `pgcluster backup`,
 * `pgcluster backups`, the Backup resource and the local scheduler all run these.
 */
import type { ClusterSpec } from '../spec/cluster';
import type { BackupType } from '../spec/backup';
import type { ClusterAccess } from '../platform/types';
import { ActionError, InputError } from '../errors';
import { diagnose } from '../backup/diagnose';
import { parseInfo, type BackupInfo, type StanzaInfo } from '../backup/info';
import { formatBytes, type Reporter } from '../report/reporter';
import { watchBackup } from './backup-progress';

export { formatBytes };

function needArchive(
  spec: ClusterSpec,
  access: ClusterAccess,
): asserts access is ClusterAccess & Required<Pick<ClusterAccess, 'pgbackrest'>> {
  if (!spec.backup)
    throw new InputError(
      `cluster "${spec.name}" has no backup in its spec: there is no archive to back up to`,
    );
  if (!access.pgbackrest) throw new ActionError('this platform cannot run pgBackRest');
}

function failure(spec: ClusterSpec, what: string, output: string): ActionError | InputError {
  const s3 = spec.backup!.s3;
  const d = diagnose(output, {
    field: 'backup.s3',
    bucket: s3.bucket ?? '',
    endpoint: s3.endpoint ?? `s3.${s3.region}.amazonaws.com`,
  });
  const message = `${what} failed: ${d.path}: ${d.cause}`;
  return d.input ? new InputError(message) : new ActionError(message);
}

/** The stanza's backups and archive, from the repository. */
export async function listBackups(spec: ClusterSpec, access: ClusterAccess): Promise<StanzaInfo> {
  needArchive(spec, access);
  const res = await access.pgbackrest([`--stanza=${spec.name}`, '--output=json', 'info'], 120_000);
  if (res.code !== 0) throw failure(spec, 'pgbackrest info', `${res.stdout}\n${res.stderr}`);
  const info = parseInfo(res.stdout, spec.name);
  const last = info.backups.at(-1);
  if (last) access.saveLastBackup?.(last);
  return info;
}

/** Takes a backup (from a standby when backup.fromStandby) and returns what pgBackRest recorded of it. */
export async function takeBackup(
  spec: ClusterSpec,
  access: ClusterAccess,
  type: BackupType,
  reporter: Reporter,
): Promise<BackupInfo> {
  needArchive(spec, access);
  const started = Date.now();
  const before = new Set((await listBackups(spec, access)).backups.map((b) => b.label));
  reporter.step(
    `taking a ${type} backup of ${spec.name}${spec.backup!.fromStandby ? ' (from a standby)' : ''}`,
  );
  const watch = reporter.progress ? watchBackup(access, spec.name, `${type} backup`, reporter) : undefined;
  let res: Awaited<ReturnType<typeof access.pgbackrest>> | undefined;
  try {
    res = await access.pgbackrest([`--stanza=${spec.name}`, `--type=${type}`, 'backup'], 24 * 3600_000);
  } finally {
    await watch?.stop(res?.code === 0);
  }
  if (res.code !== 0) throw failure(spec, `pgbackrest backup --type=${type}`, `${res.stdout}\n${res.stderr}`);
  const made = (await listBackups(spec, access)).backups.filter((b) => !before.has(b.label)).at(-1);
  if (!made) throw new ActionError(`pgbackrest backup --type=${type} exited 0 but no new backup is listed`);
  const seconds = (Date.now() - started) / 1000;
  // pgBackRest promotes an incremental or differential backup to full when there is no full yet.
  const promoted = made.type !== type ? ` (a ${made.type}: there was no full backup to build on)` : '';
  reporter.done(
    `backed up ${spec.name}: ${made.label}, ${made.type}${promoted}, ${formatBytes(made.size)} of data, ` +
      `${formatBytes(made.repoSize)} in the repository, in ${seconds.toFixed(1)} s`,
  );
  return made;
}
