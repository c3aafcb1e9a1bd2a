/**
 * Watermarks: the WAL position at which an apply last saw a database's contents (its schemas,
 * extensions and the grants inside it) equal to the spec. PostgreSQL changes no catalog without a
 * WAL record naming the database's files, so a database with no such record since its watermark,
 * the same desired contents and the same role and database oids is unchanged, and a re-plan need
 * not connect to it. Anything uncertain (another server or timeline, WAL already recycled, too much
 * WAL to read, pg_walinspect missing) means "observe it". Pure.
 */
import { createHash } from 'node:crypto';
import type { DesiredSql } from '../desired';
import { targetKey } from '../grants/model';

/** Where the primary's WAL is: its system identifier, timeline (8 hex digits) and an LSN. */
export interface Position {
  system: string;
  timeline: string;
  lsn: string;
}

export interface DatabaseWatermark {
  /** Every WAL record after this position that touches the database counts as a change. */
  lsn: string;
  /** Of the database's desired contents and the oids they resolve to (see insideDigest). */
  digest: string;
}

export interface Watermarks {
  system: string;
  timeline: string;
  databases: Record<string, DatabaseWatermark>;
}

/** A bound on the WAL one check decodes: past it (a busy primary), every database is read instead. */
export const MAX_WAL_TO_READ = 64n * 1024n * 1024n;

/** An LSN ("16/B374D848") as a number of bytes. */
export function parseLsn(lsn: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn);
  if (!m) throw new Error(`not an LSN: ${JSON.stringify(lsn)}`);
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

/** Roles whose oid the contents of `database` depend on: owners, grantees, creators. */
export function rolesInside(desired: DesiredSql, database: string): string[] {
  const out = new Set<string>();
  const db = desired.databases.find((d) => d.name === database);
  if (db?.owner !== undefined) out.add(db.owner);
  for (const s of db?.schemas ?? []) if (s.owner !== undefined) out.add(s.owner);
  for (const g of desired.grants) {
    if (g.target.on === 'database' || g.target.database !== database) continue;
    out.add(g.target.role);
    if (g.target.createdBy !== undefined) out.add(g.target.createdBy);
  }
  return [...out].sort();
}

/**
 * What a watermark holds for: the desired contents of `database` (owner, schemas, extensions,
 * grants inside it) and the oids of the database and of the roles they name. A role renamed or
 * recreated, or a database recreated, changes only shared catalogs: the oids catch it.
 */
export function insideDigest(
  desired: DesiredSql,
  database: string,
  oids: { databases: ReadonlyMap<string, string>; roles: ReadonlyMap<string, string> },
): string {
  const db = desired.databases.find((d) => d.name === database);
  const grants = desired.grants
    .filter((g) => g.target.on !== 'database' && g.target.database === database)
    .map((g) => [targetKey(g.target), g.privileges, g.withGrantOption] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const contents = db
    ? {
        owner: db.owner ?? null,
        schemas: db.schemas,
        extensions: db.extensions,
        departed: db.departed ?? false,
      }
    : null;
  const roles = rolesInside(desired, database).map((r) => [r, oids.roles.get(r) ?? null]);
  return createHash('sha256')
    .update(JSON.stringify([oids.databases.get(database) ?? null, contents, grants, roles]))
    .digest('base64url');
}

/** Databases whose watermark still holds: same system, timeline and digest; no WAL since. */
export function quietDatabases(
  previous: Watermarks | undefined,
  now: Pick<Position, 'system' | 'timeline'>,
  digests: ReadonlyMap<string, string>,
  /** Per database oid, the start of the last WAL record that touches it since the oldest watermark. */
  touched: ReadonlyMap<string, string>,
  oids: ReadonlyMap<string, string>,
): Set<string> {
  const out = new Set<string>();
  if (!previous || previous.system !== now.system || previous.timeline !== now.timeline) return out;
  for (const [database, digest] of digests) {
    const mark = previous.databases[database];
    const oid = oids.get(database);
    if (!mark || mark.digest !== digest || oid === undefined) continue;
    const last = touched.get(oid);
    if (last === undefined || parseLsn(last) < parseLsn(mark.lsn)) out.add(database);
  }
  return out;
}

/** The oldest watermark among those that could hold (the WAL is read from there). */
export function oldestCandidate(
  previous: Watermarks | undefined,
  digests: ReadonlyMap<string, string>,
): string | undefined {
  let oldest: string | undefined;
  for (const [database, digest] of digests) {
    const mark = previous?.databases[database];
    if (!mark || mark.digest !== digest) continue;
    if (oldest === undefined || parseLsn(mark.lsn) < parseLsn(oldest)) oldest = mark.lsn;
  }
  return oldest;
}

/**
 * Before reading any WAL: from where to read it, or nothing to read (no watermark could hold), or
 * why every database must be observed.
 */
export function walToRead(
  previous: Watermarks | undefined,
  now: Position,
  digests: ReadonlyMap<string, string>,
): { from: string } | { none: true } | { reason: string } {
  if (!previous) return { none: true };
  if (previous.system !== now.system) return { reason: 'another server than at the last apply' };
  if (previous.timeline !== now.timeline)
    return { reason: `the primary changed (timeline ${previous.timeline} -> ${now.timeline})` };
  const from = oldestCandidate(previous, digests);
  if (from === undefined) return { none: true };
  const distance = parseLsn(now.lsn) - parseLsn(from);
  if (distance < 0n) return { reason: `the WAL (${now.lsn}) is behind the last apply (${from})` };
  if (distance > MAX_WAL_TO_READ)
    return { reason: `more than ${MAX_WAL_TO_READ / 1024n / 1024n} MB of WAL since the last apply` };
  return { from };
}

/**
 * The watermarks an apply leaves: a quiet database's moves up to the position checked (no record
 * before it touched the database, and one written later starts after it), the databases the apply
 * left equal to the spec get a new one (`marks`), every other database has none (it is read next
 * time). Moving them keeps the WAL the next check reads short.
 */
export function nextWatermarks(
  position: Position | undefined,
  digests: ReadonlyMap<string, string>,
  quiet: ReadonlySet<string>,
  marks: ReadonlyMap<string, string>,
): Watermarks | undefined {
  if (!position) return undefined;
  const databases: Record<string, DatabaseWatermark> = {};
  for (const [database, digest] of digests) {
    const lsn = marks.get(database) ?? (quiet.has(database) ? position.lsn : undefined);
    if (lsn !== undefined) databases[database] = { lsn, digest };
  }
  return { system: position.system, timeline: position.timeline, databases };
}

/** Watermarks checked again: the quiet ones move up to `position`, the others stay as they are. */
export function advanceQuiet(marks: Watermarks, position: Position, quiet: ReadonlySet<string>): Watermarks {
  const databases = Object.fromEntries(
    Object.entries(marks.databases).map(([database, mark]) => [
      database,
      quiet.has(database) ? { ...mark, lsn: position.lsn } : mark,
    ]),
  );
  return { ...marks, databases };
}
