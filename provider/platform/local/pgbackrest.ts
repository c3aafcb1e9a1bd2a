/**
 * pgBackRest on the local platform: each member's configuration (pg1 = that member, 0600, the run
 * user's), the repository CA copied where the run user can read it, and running a pgBackRest command
 * as the run user (it reaches the members over their sockets: peer, no password).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseIni } from 'ini';
import type { ClusterSpec } from '../../spec/cluster';
import type { S3Spec } from '../../spec/backup';
import { InputError } from '../../errors';
import {
  repoPath,
  renderPgbackrestConf,
  renderRestoreConf,
  type PgHost,
  type RepoContext,
} from '../../render/pgbackrest';
import { sourceStanza } from '../../render/patroni';
import type { PgbackrestResult, ProvisionInputs } from '../types';
import { memberName } from '../../naming';
import { memberContext, type LocalCluster } from './cluster-context';
import { clusterPaths } from './paths';
import { ensureDir, giveTo } from './run-user';
import { readRecord, writeFileAtomic, type StoredSecrets } from './state';

export type { PgbackrestResult };
/** What the caller read from the spec's references, and where relative paths start. */
export type BackupInputs = ProvisionInputs;

function writeIfChanged(path: string, content: string, mode: number): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === content) return false;
  writeFileAtomic(path, content, mode);
  return true;
}

/** Copies a CA file named by the spec (`field`) to `to` (0644), so the run user can read it. */
export function copyCa(
  lc: LocalCluster,
  field: string,
  caFile: string | undefined,
  baseDir: string,
  to: string,
): string | undefined {
  if (!caFile) return undefined;
  const from = isAbsolute(caFile) ? caFile : resolve(baseDir, caFile);
  if (!existsSync(from)) throw new InputError(`${field}: ${from} does not exist`);
  const text = readFileSync(from, 'utf8');
  if (!/-----BEGIN CERTIFICATE-----/.test(text))
    throw new InputError(`${field}: ${from} holds no PEM certificate`);
  if (!existsSync(to) || readFileSync(to, 'utf8') !== text) copyFileSync(from, to);
  giveTo(lc.user, to);
  return to;
}

function pgHost(lc: LocalCluster, slot: number): PgHost {
  const m = memberContext(lc, slot);
  return { path: m.dataDir, port: m.postgresPort, socketPath: m.socketDir };
}

/** This member first, then the others: pg1 is always the member that runs the command. */
function hostsFor(lc: LocalCluster, slot: number, slots: readonly number[]): PgHost[] {
  return [slot, ...slots.filter((s) => s !== slot)].map((s) => pgHost(lc, s));
}

/**
 * pgBackRest reaches every member over its socket as the run user, which pg_ident maps to the
 * superuser (peer): no password file. The one an older version wrote is removed.
 */
function removeOldPgpass(lc: LocalCluster): void {
  rmSync(lc.paths.backup.pgpass, { force: true });
}

function memberDirs(lc: LocalCluster, name: string): void {
  const p = lc.paths.member(name);
  for (const dir of [p.dir, p.pgbackrestSpool, p.pgbackrestLock]) ensureDir(lc.user, dir);
}

/** The archive's repository as this cluster's members use it. */
function ownRepo(lc: LocalCluster, spec: ClusterSpec, inputs: BackupInputs): RepoContext {
  const s3 = spec.backup!.s3;
  return {
    s3,
    path: repoPath(s3, spec.name),
    keys: inputs.secrets.s3,
    caFile: copyCa(lc, 'backup.s3.caFile', s3.caFile, inputs.baseDir, lc.paths.backup.ca),
    passphrase: inputs.secrets.passphrase,
  };
}

/**
 * Writes every member's pgbackrest.conf (when `backup` is set), and the restore configuration of
 * bootstrap.recovery. Returns the members whose files changed.
 */
export function writeBackupFiles(
  lc: LocalCluster,
  spec: ClusterSpec,
  slots: readonly number[],
  secrets: StoredSecrets,
  inputs: BackupInputs,
): string[] {
  const changed: string[] = [];
  if (!spec.backup && !spec.bootstrap.recovery) return changed;
  ensureDir(lc.user, lc.paths.backup.dir);
  ensureDir(lc.user, lc.paths.backup.log);
  removeOldPgpass(lc);
  const repo = spec.backup ? ownRepo(lc, spec, inputs) : undefined;
  const source = spec.bootstrap.recovery ? sourceRepo(lc, spec, inputs) : undefined;
  for (const slot of slots) {
    const name = memberName(spec.name, slot);
    const p = lc.paths.member(name);
    memberDirs(lc, name);
    const common = {
      pg: hostsFor(lc, slot, slots),
      logPath: lc.paths.backup.log,
      lockPath: p.pgbackrestLock,
    };
    if (spec.backup && repo) {
      const text = renderPgbackrestConf(spec.backup, {
        ...common,
        stanza: spec.name,
        repo,
        spoolPath: p.pgbackrestSpool,
      });
      if (writeIfChanged(p.pgbackrestConf, text, 0o600)) changed.push(name);
      giveTo(lc.user, p.pgbackrestConf);
    }
    if (source) {
      const text = renderRestoreConf(
        { ...common, stanza: source.stanza, repo: source.repo },
        spec.backup?.processMax ?? 2,
      );
      writeIfChanged(p.restoreConf, text, 0o600);
      giveTo(lc.user, p.restoreConf);
    }
  }
  return changed;
}

/** The repository a recovery reads: another cluster of this state dir, or the spec's s3 source. */
export function sourceRepo(
  lc: LocalCluster,
  spec: ClusterSpec,
  inputs: BackupInputs,
  copyCaFile = true,
): { stanza: string; repo: RepoContext } {
  const recovery = spec.bootstrap.recovery!;
  const stanza = sourceStanza(recovery);
  if (recovery.source.s3) {
    const s3 = recovery.source.s3;
    return {
      stanza,
      repo: {
        s3,
        path: repoPath(s3, stanza),
        keys: inputs.secrets.sourceS3,
        caFile: copyCaFile
          ? copyCa(
              lc,
              'bootstrap.recovery.source.s3.caFile',
              s3.caFile,
              inputs.baseDir,
              join(lc.paths.backup.dir, 'source-ca.pem'),
            )
          : s3.caFile,
        passphrase: inputs.secrets.sourcePassphrase,
      },
    };
  }
  return { stanza, repo: clusterRepo(lc, stanza) };
}

/** The repository of a cluster of this state dir, from its record and its first member's configuration. */
export function clusterRepo(
  lc: LocalCluster,
  name: string,
  field = 'bootstrap.recovery.source.cluster',
): RepoContext {
  const paths = clusterPaths(lc.stateDir, name);
  const record = readRecord(paths.stateFile);
  if (!record) throw new InputError(`${field}: no cluster named "${name}" in state dir ${lc.stateDir}`);
  const backup = record.spec.backup;
  if (!backup) throw new InputError(`${field}: cluster "${name}" has no backup: nothing to restore from`);
  const conf = record.slots
    .map((s) => paths.member(memberName(name, s)).pgbackrestConf)
    .find((f) => existsSync(f));
  if (!conf) throw new InputError(`${field}: cluster "${name}" has no pgBackRest configuration yet`);
  const global =
    (parseIni(readFileSync(conf, 'utf8')) as Record<string, Record<string, string>>).global ?? {};
  const keys =
    global['repo1-s3-key'] !== undefined && global['repo1-s3-key-secret'] !== undefined
      ? { accessKeyId: global['repo1-s3-key'], secretAccessKey: global['repo1-s3-key-secret'] }
      : undefined;
  return {
    s3: backup.s3 as S3Spec,
    path: global['repo1-path'] ?? repoPath(backup.s3, name),
    keys,
    caFile: global['repo1-storage-ca-file'],
    passphrase: global['repo1-cipher-pass'],
  };
}

/** Runs pgBackRest as the run user with `config`; never throws for a non-zero exit. */
export function runPgbackrest(
  lc: LocalCluster,
  config: string,
  args: readonly string[],
  timeoutMs = 30 * 60_000,
  extraEnv: Record<string, string> = {},
): Promise<PgbackrestResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('pgbackrest', [`--config=${config}`, ...args], {
      cwd: lc.paths.root.startsWith(lc.stateDir) && existsSync(lc.paths.root) ? lc.paths.root : tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        LANG: 'C.UTF-8',
        HOME: tmpdir(),
        ...extraEnv,
      },
      ...(lc.user.switched ? { uid: lc.user.uid, gid: lc.user.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
  });
}

/**
 * A throw-away configuration of one repository (no PostgreSQL) in a private temp dir the run user
 * owns, for the checks before anything exists; removed by the returned cleanup. `caFile` is the
 * spec's (copied into the temp dir), relative to `baseDir`.
 */
export function scratchConfig(
  lc: LocalCluster,
  stanza: string,
  repo: RepoContext,
  caField: string,
  baseDir: string,
): { config: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pgcluster-repo-check-'));
  giveTo(lc.user, dir);
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  let caFile: string | undefined;
  try {
    caFile = copyCa(lc, caField, repo.caFile, baseDir, join(dir, 'ca.pem'));
  } catch (e) {
    cleanup();
    throw e;
  }
  const config = join(dir, 'pgbackrest.conf');
  const text = renderRestoreConf(
    {
      stanza,
      repo: { ...repo, caFile },
      pg: [{ path: join(dir, 'none'), port: 5432 }],
      logPath: dir,
      lockPath: dir,
    },
    1,
  );
  writeFileAtomic(config, text.replace(/^log-level-file=.*$/m, 'log-level-file=off'), 0o600);
  giveTo(lc.user, config);
  return { config, cleanup };
}

/**
 * What the local platform needs beyond the spec's own rules: a bucket (the CLI creates none; the
 * component fills in the one it creates) and keys (there is no cloud identity to fall back to).
 * Checked before anything starts; each problem names the field.
 */
export function localArchiveProblems(spec: ClusterSpec, secrets: ProvisionInputs['secrets']): string[] {
  if (!spec.backup) return [];
  return [
    ...(spec.backup.s3.bucket === undefined
      ? [
          'backup.s3.bucket: required on platform.local (the PostgresCluster component creates one when it is absent; the CLI does not)',
        ]
      : []),
    ...(!secrets.s3
      ? ['backup.s3.credentials: required on platform.local (there is no cloud identity to fall back to)']
      : []),
  ];
}
