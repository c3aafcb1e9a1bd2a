/**
 * The queries behind watermarks (./model): where the primary's WAL is, the oids the digests need,
 * which databases the WAL touched since the oldest watermark (pg_walinspect, in the maintenance
 * database, created there on first use), and a database's own mark before it is observed.
 */
import type { Client } from 'pg';
import type { DesiredSql } from '../desired';
import {
  insideDigest,
  parseLsn,
  quietDatabases,
  rolesInside,
  walToRead,
  type Position,
  type Watermarks,
} from './model';

export interface WatermarkCheck {
  /** Where the WAL was when checked; undefined when watermarks cannot be used on this server. */
  position?: Position;
  /** Per database observed inside: the digest a new watermark is stored with. */
  digests: Map<string, string>;
  /** Databases unchanged since their watermark: not connected to. */
  quiet: Set<string>;
  /** Why no database could be skipped although some had a watermark. */
  reason?: string;
}

const POSITION_SQL = `
select c.system_identifier::text as system, pg_is_in_recovery() as standby,
       case when pg_is_in_recovery() then null
            else substr(pg_walfile_name(pg_current_wal_insert_lsn()), 1, 8) end as timeline,
       case when pg_is_in_recovery() then null else pg_current_wal_insert_lsn()::text end as lsn,
       case when pg_is_in_recovery() then null else pg_current_wal_flush_lsn()::text end as flushed
from pg_control_system() c`;

const OIDS_SQL = `
select 'database' as kind, datname as name, oid::text from pg_database where datname = any($1::text[])
union all
select 'role', rolname, oid::text from pg_roles where rolname = any($2::text[])`;

/** Per database oid, the start of the last WAL record in [$1, $2) that names one of its files. */
const TOUCHED_SQL = `
select m[1] as oid, max(w.start_lsn)::text as last
from pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn) w,
     regexp_matches(w.block_ref, 'rel \\d+/(\\d+)/\\d+', 'g') m
group by m[1]`;

/** The maintenance database holds pg_walinspect; created once (superuser only), never dropped. */
async function ensureWalinspect(client: Client): Promise<void> {
  const { rows } = await client.query(`select 1 from pg_extension where extname = 'pg_walinspect'`);
  if (rows.length === 0) await client.query('create extension if not exists pg_walinspect');
}

/**
 * Makes sure the WAL up to `lsn` (a record boundary: where the next record was to go) is flushed,
 * since pg_walinspect reads no further than the flush point. A transaction commits synchronously
 * only if it wrote WAL, so ours writes a logical message: a tiny record that names no relation.
 */
async function flushTo(client: Client, lsn: string, flushed: string): Promise<void> {
  if (parseLsn(flushed) >= parseLsn(lsn)) return;
  await client.query(
    `begin; set local synchronous_commit = local;
     select pg_logical_emit_message(true, 'pgcluster', 'watermark check'); commit`,
  );
}

async function oidsOf(
  client: Client,
  desired: DesiredSql,
  databases: readonly string[],
): Promise<{ databases: Map<string, string>; roles: Map<string, string> }> {
  const roles = [...new Set(databases.flatMap((d) => rolesInside(desired, d)))];
  const { rows } = await client.query<{ kind: string; name: string; oid: string }>(OIDS_SQL, [
    databases,
    roles,
  ]);
  const of = (kind: string) => new Map(rows.filter((r) => r.kind === kind).map((r) => [r.name, r.oid]));
  return { databases: of('database'), roles: of('role') };
}

/**
 * Which of `databases` are unchanged since their watermark in `previous`, on the maintenance
 * connection `client`. Never throws for a reason to observe: it returns no quiet database instead.
 */
export async function checkWatermarks(
  client: Client,
  desired: DesiredSql,
  databases: readonly string[],
  previous: Watermarks | undefined,
): Promise<WatermarkCheck> {
  if (databases.length === 0) return { digests: new Map(), quiet: new Set() };
  const { rows } = await client.query<{
    system: string;
    standby: boolean;
    timeline: string | null;
    lsn: string | null;
    flushed: string | null;
  }>(POSITION_SQL);
  const at = rows[0];
  const oids = await oidsOf(client, desired, databases);
  const digests = new Map(databases.map((d) => [d, insideDigest(desired, d, oids)]));
  if (!at || at.standby || !at.timeline || !at.lsn || !at.flushed)
    return { digests, quiet: new Set(), reason: 'the server is a standby' };
  const position: Position = { system: at.system, timeline: at.timeline, lsn: at.lsn };
  const none = (reason: string): WatermarkCheck => ({ position, digests, quiet: new Set(), reason });
  const read = walToRead(previous, position, digests);
  if ('none' in read) return { position, digests, quiet: new Set() };
  if ('reason' in read) return none(read.reason);
  const { from } = read;
  try {
    await ensureWalinspect(client);
    await flushTo(client, position.lsn, at.flushed);
    const touched =
      parseLsn(from) < parseLsn(position.lsn)
        ? (await client.query<{ oid: string; last: string }>(TOUCHED_SQL, [from, position.lsn])).rows
        : [];
    return {
      position,
      digests,
      quiet: quietDatabases(
        previous,
        position,
        digests,
        new Map(touched.map((r) => [r.oid, r.last])),
        oids.databases,
      ),
    };
  } catch (e) {
    return none(`the WAL since the last apply cannot be read: ${(e as Error).message}`);
  }
}

/**
 * Taken on a connection to the database, before observing it: where the WAL is, and whether a
 * transaction that may have written to it is still open (its records can precede the mark while
 * its changes are not yet visible; then no watermark is kept). Without pg_read_all_stats the other
 * sessions' transactions are hidden, so such a role never keeps one.
 */
export async function markDatabase(client: Client): Promise<{ lsn: string; busy: boolean }> {
  const results = (await client.query(
    `select pg_current_wal_insert_lsn()::text as lsn;
     select exists (select 1 from pg_stat_activity
                    where datname = current_database() and backend_xid is not null and pid <> pg_backend_pid())
         or exists (select 1 from pg_prepared_xacts where database = current_database())
         or not pg_has_role('pg_read_all_stats', 'member') as busy`,
  )) as unknown as Array<{ rows: Array<Record<string, unknown>> }>;
  return {
    lsn: results[0]?.rows[0]?.lsn as string,
    busy: results[1]?.rows[0]?.busy === true,
  };
}
