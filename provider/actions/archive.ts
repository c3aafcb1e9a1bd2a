/**
 * The archive step of `up`: once the cluster is healthy, create the pgBackRest stanza and `check`
 * that a WAL segment reaches the repository, before the cluster relies on it. Done again only
 * when the repository changes. And the archive section of `status`, from pg_stat_archiver.
 */
import { sleep } from '../util/sleep';
import type { ClusterSpec } from '../spec/cluster';
import type { ClusterAccess, PgEndpoint } from '../platform/types';
import { ActionError, InputError } from '../errors';
import { diagnose, firstError } from '../backup/diagnose';
import { repoPath } from '../render/pgbackrest';
import type { BackupInfo } from '../backup/info';
import { connectTo, withClient } from '../sql/connect';
import type { Reporter } from '../report/reporter';

/** What identifies the repository: a change of any of these means a new stanza to create and check. */
export function archiveIdentity(spec: ClusterSpec): string | undefined {
  const b = spec.backup;
  if (!b) return undefined;
  return JSON.stringify([
    b.s3.endpoint ?? '',
    b.s3.region,
    b.s3.bucket,
    repoPath(b.s3, spec.name),
    b.encryption !== undefined,
  ]);
}

function where(spec: ClusterSpec) {
  const s3 = spec.backup!.s3;
  return {
    field: 'backup.s3',
    bucket: s3.bucket ?? '',
    endpoint: s3.endpoint ?? `s3.${s3.region}.amazonaws.com`,
  };
}

/** How long `check` waits for its segment to be archived (the configuration's archive-timeout is 60 s). */
const CHECK_ARCHIVE_TIMEOUT_S = 150;

/** pgBackRest's "unable to acquire lock": an archive-push of the members holds it for a moment. */
const LOCK_BUSY = /ERROR: \[050\]: unable to acquire lock/;
const LOCK_ATTEMPTS = 10;

async function run(access: ClusterAccess, spec: ClusterSpec, args: string[], what: string): Promise<string> {
  let res = await access.pgbackrest!([`--stanza=${spec.name}`, ...args], 5 * 60_000);
  for (let attempt = 1; attempt < LOCK_ATTEMPTS && res.code !== 0; attempt++) {
    if (!LOCK_BUSY.test(`${res.stdout}\n${res.stderr}`)) break;
    await sleep(500 * attempt);
    res = await access.pgbackrest!([`--stanza=${spec.name}`, ...args], 5 * 60_000);
  }
  const output = `${res.stdout}\n${res.stderr}`;
  if (res.code === 0) return output;
  if (/\[028\]: backup and archive info files exist but do not match the database/.test(output))
    throw new InputError(
      `backup.s3.path: ${JSON.stringify(repoPath(spec.backup!.s3, spec.name))} holds the archive of another database ` +
        `(${firstError(output).replace(/^ERROR: \[\d+\]: /, '')}); a cluster needs a path of its own`,
    );
  const d = diagnose(output, where(spec));
  const message = `${what} failed: ${d.path}: ${d.cause}`;
  throw d.input ? new InputError(message) : new ActionError(message);
}

/**
 * Creates the stanza (nothing happens to an existing, matching one) and checks the archive. Returns
 * true when it ran, false when the same repository was verified before.
 */
export async function ensureArchive(
  access: ClusterAccess,
  spec: ClusterSpec,
  reporter: Reporter,
): Promise<boolean> {
  const identity = archiveIdentity(spec);
  if (identity === access.archiveVerified?.()) return false;
  if (!identity) {
    access.saveArchiveVerified?.(undefined);
    return false;
  }
  if (!access.pgbackrest) throw new ActionError('this platform cannot run pgBackRest');
  const started = Date.now();
  await run(access, spec, ['stanza-create'], 'pgbackrest stanza-create');
  // check waits for the segment it switched to: long enough for PostgreSQL's archiver to try again
  // after a transient failure (it pauses a minute after three failed attempts).
  await run(access, spec, ['check', `--archive-timeout=${CHECK_ARCHIVE_TIMEOUT_S}`], 'pgbackrest check');
  access.saveArchiveVerified?.(identity);
  const s3 = spec.backup!.s3;
  reporter.step(
    `archive ready: stanza ${spec.name} in s3://${s3.bucket}${repoPath(s3, spec.name)} (stanza-create, check: a WAL segment arrived) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return true;
}

export interface ArchiveStatus {
  /** Segments archived since the server started, and the last one. */
  archivedCount: number;
  lastArchivedWal: string | null;
  lastArchivedAt: string | null;
  /** Seconds since the last successful archive (null: none yet). */
  lastArchivedAgeSeconds: number | null;
  failedCount: number;
  lastFailedWal: string | null;
  lastFailedAt: string | null;
  /**
   * True while the latest attempt failed (a failure after the last success), or while segments
   * wait and nothing was archived for over a minute (an attempt that hangs has not failed yet).
   */
  failing: boolean;
  /** Segments PostgreSQL has finished and not archived yet (`.ready` in pg_wal/archive_status). */
  waitingSegments: number;
  /** The segment being written now: what the archive lags behind. */
  currentWal: string | null;
  lastBackup: BackupInfo | null;
}

interface ArchiverRow {
  archived_count: string;
  last_archived_wal: string | null;
  last_archived_time: Date | null;
  failed_count: string;
  last_failed_wal: string | null;
  last_failed_time: Date | null;
  current_wal: string | null;
  waiting: string;
}

/** Segments waiting this long without any archived: stalled (pgBackRest's archive-timeout is 60 s). */
const STALLED_AFTER_S = 60;

/** pg_stat_archiver of the primary, and the last backup pgcluster remembers. */
export async function archiveStatus(access: ClusterAccess, primary: PgEndpoint): Promise<ArchiveStatus> {
  const row = await withClient(
    await connectTo(primary, access.superuser()),
    async (c) =>
      (
        await c.query<ArchiverRow>(
          `select archived_count, last_archived_wal, last_archived_time, failed_count, last_failed_wal,
                last_failed_time, pg_walfile_name(pg_current_wal_lsn()) as current_wal,
                (select count(*) from pg_ls_archive_statusdir() where name like '%.ready') as waiting
           from pg_stat_archiver`,
        )
      ).rows[0]!,
  );
  const at = (d: Date | null) => (d ? d.toISOString() : null);
  const age = row.last_archived_time
    ? Math.round((Date.now() - row.last_archived_time.getTime()) / 1000)
    : null;
  const waiting = Number(row.waiting);
  const failing =
    (row.last_failed_time !== null &&
      (row.last_archived_time === null || row.last_failed_time > row.last_archived_time)) ||
    (waiting >= 2 && (age === null || age > STALLED_AFTER_S));
  return {
    archivedCount: Number(row.archived_count),
    lastArchivedWal: row.last_archived_wal,
    lastArchivedAt: at(row.last_archived_time),
    lastArchivedAgeSeconds: age,
    failedCount: Number(row.failed_count),
    lastFailedWal: row.last_failed_wal,
    lastFailedAt: at(row.last_failed_time),
    failing,
    waitingSegments: waiting,
    currentWal: row.current_wal,
    lastBackup: access.lastBackup?.() ?? null,
  };
}
