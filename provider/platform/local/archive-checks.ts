/**
 * The checks before anything starts, for a spec that reads or writes other servers: the archive's
 * repository is reachable with these keys and this CA (and, for a new cluster, holds no other
 * cluster's stanza); a recovery source has a backup for the target; a server to clone answers, runs
 * the same major version and grants REPLICATION. Each failure names the field and the cause.
 */
import type { ClusterSpec } from '../../spec/cluster';
import { ActionError, InputError } from '../../errors';
import { diagnose, firstError } from '../../backup/diagnose';
import {
  backupBefore,
  MISSING_STANZA_PATH,
  parseInfo,
  STANZA_EXISTS,
  type StanzaInfo,
} from '../../backup/info';
import { repoPath, type RepoContext } from '../../render/pgbackrest';
import { checkCloneSource } from './clone';
import type { LocalCluster } from './cluster-context';
import { runPgbackrest, scratchConfig, sourceRepo, type BackupInputs } from './pgbackrest';

const NOTHING_STARTED = 'nothing was started';

function fail(path: string, cause: string, input: boolean): never {
  const message = `${path}: ${cause}; ${NOTHING_STARTED}`;
  throw input ? new InputError(message) : new ActionError(message);
}

/** The repositories' own status messages in `info --output=json` (where the cause of "other" is). */
function repoMessages(json: string): string {
  try {
    const all = JSON.parse(json) as Array<{ repo?: Array<{ status?: { message?: string } }> }>;
    return all.flatMap((s) => (s.repo ?? []).map((r) => r.status?.message ?? '')).join('\n');
  } catch {
    return '';
  }
}

/** `info` of one stanza through a scratch configuration; a failure is diagnosed against `field`. */
async function repoInfo(
  lc: LocalCluster,
  stanza: string,
  repo: RepoContext,
  field: string,
  baseDir: string,
): Promise<StanzaInfo> {
  const { config, cleanup } = scratchConfig(lc, stanza, repo, `${field}.caFile`, baseDir);
  try {
    const res = await runPgbackrest(
      lc,
      config,
      [`--stanza=${stanza}`, '--io-timeout=15', '--output=json', 'info'],
      60_000,
    );
    const output = `${res.stdout}\n${res.stderr}`;
    if (res.code !== 0) {
      const d = diagnose(output, {
        field,
        bucket: repo.s3.bucket ?? '',
        endpoint: repo.s3.endpoint ?? `s3.${repo.s3.region}.amazonaws.com`,
      });
      fail(d.path, d.cause, d.input);
    }
    const info = parseInfo(res.stdout, stanza);
    if (info.status.code !== MISSING_STANZA_PATH && !STANZA_EXISTS.includes(info.status.code)) {
      // The cause is in the repository's own status, inside the JSON.
      const detail = repoMessages(res.stdout) || output;
      const d = diagnose(detail, {
        field,
        bucket: repo.s3.bucket ?? '',
        endpoint: repo.s3.endpoint ?? `s3.${repo.s3.region}.amazonaws.com`,
      });
      fail(
        d.path,
        d.cause.startsWith('pgBackRest failed') ? `pgBackRest: ${firstError(detail)}` : d.cause,
        d.input,
      );
    }
    return info;
  } finally {
    cleanup();
  }
}

/** The cluster's own repository: reachable, and empty for a cluster that does not exist yet. */
async function checkOwnRepo(
  lc: LocalCluster,
  spec: ClusterSpec,
  inputs: BackupInputs,
  creating: boolean,
): Promise<void> {
  const s3 = spec.backup!.s3;
  const repo: RepoContext = {
    s3,
    path: repoPath(s3, spec.name),
    keys: inputs.secrets.s3,
    caFile: s3.caFile,
    passphrase: inputs.secrets.passphrase,
  };
  const info = await repoInfo(lc, spec.name, repo, 'backup.s3', inputs.baseDir);
  if (creating && STANZA_EXISTS.includes(info.status.code))
    fail(
      'backup.s3.path',
      `${JSON.stringify(repo.path)} in bucket ${JSON.stringify(s3.bucket)} already holds the archive of a stanza ` +
        `"${spec.name}"${info.systemId ? ` (database system ${info.systemId})` : ''} with ${info.backups.length} backup(s): ` +
        'a new cluster needs a path of its own (choose another backup.s3.path, or remove that archive if it is no longer needed)',
      true,
    );
}

/** The recovery source has a backup the target can start from. */
async function checkRecoverySource(lc: LocalCluster, spec: ClusterSpec, inputs: BackupInputs): Promise<void> {
  const recovery = spec.bootstrap.recovery!;
  const { stanza, repo } = sourceRepo(lc, spec, inputs, false);
  const field = recovery.source.s3 ? 'bootstrap.recovery.source.s3' : 'bootstrap.recovery.source.cluster';
  const info = await repoInfo(lc, stanza, repo, field, inputs.baseDir);
  const usable = info.backups.filter((b) => !b.error);
  if (usable.length === 0)
    fail(
      field,
      `the repository of stanza "${stanza}" has no backup to restore (status: ${info.status.message})`,
      true,
    );
  if (recovery.backupSet && !usable.some((b) => b.label === recovery.backupSet))
    fail(
      'bootstrap.recovery.backupSet',
      `${JSON.stringify(recovery.backupSet)} is not a backup of stanza "${stanza}"; there are ${usable.map((b) => b.label).join(', ')}`,
      true,
    );
  const time = recovery.target.time;
  if (time && !recovery.backupSet && !backupBefore(usable, time))
    fail(
      'bootstrap.recovery.target.time',
      `${JSON.stringify(time)} is before the oldest backup of stanza "${stanza}" (it ended ${usable[0]!.stoppedAt}): ` +
        'nothing can be restored to that moment',
      true,
    );
}

export async function checkExternalSources(
  lc: LocalCluster,
  spec: ClusterSpec,
  inputs: BackupInputs,
  creating: boolean,
): Promise<void> {
  if (spec.backup) await checkOwnRepo(lc, spec, inputs, creating);
  if (!creating) return;
  if (spec.bootstrap.recovery) await checkRecoverySource(lc, spec, inputs);
  if (spec.bootstrap.pgBasebackup)
    await checkCloneSource(spec, inputs.secrets.sourcePassword, NOTHING_STARTED);
}
