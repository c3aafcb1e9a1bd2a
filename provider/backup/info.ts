/**
 * `pgbackrest info --output=json`, read into what pgcluster reports: the stanza's state, its
 * backups (label, type, LSN range, sizes, times) and the archived WAL range. Pure.
 */
import type { BackupType } from '../spec/backup';

export interface BackupInfo {
  label: string;
  type: BackupType;
  /** The backup it depends on (diff/incr). */
  prior: string | null;
  lsnStart: string;
  lsnStop: string;
  /** WAL segments the backup needs. */
  walStart: string;
  walStop: string;
  /** Size of the database at backup time, bytes. */
  size: number;
  /** What the backup takes in the repository (compressed, only changed files for diff/incr), bytes. */
  repoSize: number;
  startedAt: string;
  stoppedAt: string;
  error: boolean;
}

export interface StanzaInfo {
  name: string;
  /** pgBackRest's status: 0 ok, 1 missing stanza path, 2 no valid backups, 3 missing stanza data, ... */
  status: { code: number; message: string };
  backups: BackupInfo[];
  /** Oldest and newest archived WAL segment, if any. */
  archive?: { min: string; max: string };
  /** The database system id the stanza belongs to. */
  systemId?: string;
}

/** Status codes of a stanza that exists (with or without backups). */
export const STANZA_EXISTS = [0, 2];
export const MISSING_STANZA_PATH = 1;

type Json = Record<string, unknown>;

const iso = (seconds: unknown) => new Date(Number(seconds) * 1000).toISOString();

function backupOf(b: Json): BackupInfo {
  const info = (b.info ?? {}) as Json;
  const repository = (info.repository ?? {}) as Json;
  const lsn = (b.lsn ?? {}) as Json;
  const archive = (b.archive ?? {}) as Json;
  const timestamp = (b.timestamp ?? {}) as Json;
  return {
    label: String(b.label),
    type: b.type as BackupType,
    prior: (b.prior as string | null) ?? null,
    lsnStart: String(lsn.start ?? ''),
    lsnStop: String(lsn.stop ?? ''),
    walStart: String(archive.start ?? ''),
    walStop: String(archive.stop ?? ''),
    size: Number(info.size ?? 0),
    repoSize: Number(repository.delta ?? repository.size ?? 0),
    startedAt: iso(timestamp.start),
    stoppedAt: iso(timestamp.stop),
    error: b.error === true,
  };
}

/** The stanza `name` from the JSON pgBackRest printed (an array of stanzas). */
export function parseInfo(json: string, name: string): StanzaInfo {
  const all = JSON.parse(json) as Json[];
  const s = all.find((x) => x.name === name) ?? all[0];
  if (!s) return { name, status: { code: MISSING_STANZA_PATH, message: 'missing stanza path' }, backups: [] };
  const status = (s.status ?? {}) as Json;
  const archives = ((s.archive ?? []) as Json[]).filter((a) => a.min && a.max);
  // A system id has 19 digits, more than a JSON number keeps: read it from the text.
  const systemId = [...json.matchAll(/"system-id"\s*:\s*(\d+)/g)].at(-1)?.[1];
  return {
    name: String(s.name),
    status: { code: Number(status.code ?? 99), message: String(status.message ?? '') },
    backups: ((s.backup ?? []) as Json[]).map(backupOf),
    ...(archives.length > 0
      ? { archive: { min: String(archives[0]!.min), max: String(archives.at(-1)!.max) } }
      : {}),
    ...(systemId !== undefined ? { systemId } : {}),
  };
}

/** The latest backup that stopped at or before `time` (ISO 8601), if any. */
export function backupBefore(backups: readonly BackupInfo[], time: string): BackupInfo | undefined {
  const t = Date.parse(time.replace(' ', 'T'));
  return [...backups]
    .filter((b) => !b.error && Date.parse(b.stoppedAt) <= t)
    .sort((a, b) => (a.stoppedAt < b.stoppedAt ? 1 : -1))[0];
}
