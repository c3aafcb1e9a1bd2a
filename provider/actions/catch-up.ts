/**
 * How far the replicas that are not streaming yet are, as the primary reports it: a base backup
 * in pg_stat_progress_basebackup (bytes streamed of the estimated total), and a replica catching
 * up in pg_stat_replication (bytes it still has to replay). `up` shows these while it waits.
 */
import type { Client } from 'pg';
import type { Progress } from '../report/reporter';

export interface BasebackupRow {
  pid: number;
  phase: string;
  backup_total: string | null;
  backup_streamed: string;
}

export interface ReplicationLagRow {
  application_name: string;
  state: string;
  behind: string | null;
}

export async function readCatchUp(
  client: Client,
): Promise<{ basebackups: BasebackupRow[]; replication: ReplicationLagRow[] }> {
  const basebackups = await client.query<BasebackupRow>(
    'select pid, phase, backup_total::text, backup_streamed::text from pg_stat_progress_basebackup order by pid',
  );
  const replication = await client.query<ReplicationLagRow>(
    `select application_name, state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint::text as behind
       from pg_stat_replication`,
  );
  return { basebackups: basebackups.rows, replication: replication.rows };
}

/**
 * Progress reports from one reading. `creating`: the members Patroni reports creating a replica
 * (pg_basebackup connects as `pg_basebackup`, so a single one names its base backup); `behindAtFirst`
 * keeps, per replica, how far behind it was when first seen catching up (the total to replay).
 */
export function catchUpProgress(
  reading: { basebackups: BasebackupRow[]; replication: ReplicationLagRow[] },
  leader: string,
  creating: readonly string[],
  behindAtFirst: Map<string, number>,
): Progress[] {
  const out: Progress[] = [];
  reading.basebackups.forEach((b, i) => {
    const who =
      reading.basebackups.length === 1 && creating.length === 1 ? creating[0] : `base backup ${i + 1}`;
    out.push({
      task: `${who}: base backup from ${leader}`,
      done: Number(b.backup_streamed),
      ...(b.backup_total !== null ? { total: Number(b.backup_total) } : {}),
    });
  });
  for (const r of reading.replication) {
    if (r.state !== 'catchup' || r.behind === null) continue;
    const behind = Math.max(0, Number(r.behind));
    const total = Math.max(behindAtFirst.get(r.application_name) ?? behind, behind);
    behindAtFirst.set(r.application_name, total);
    out.push({ task: `${r.application_name}: catching up with ${leader}`, done: total - behind, total });
  }
  return out;
}

/** Patroni's states of a member whose data is being made: a replica, or the first member's custom bootstrap. */
export const MAKING_DATA_STATES = {
  replica: 'creating replica',
  bootstrap: 'running custom bootstrap script',
} as const;

/**
 * Members whose data directory is being filled by something the primary does not see (pgBackRest
 * restoring a backup, a clone from another server): their progress is the bytes their data
 * directory holds, of `total` when it is known (the backup's size). Members already reported by a
 * base backup, and those `describe` has no words for (a replica that will copy by base backup), are
 * left out.
 */
export function dataDirProgress(
  members: readonly { name: string; state: string }[],
  byBasebackup: readonly string[],
  dataBytes: (member: string) => number | undefined,
  describe: (member: { name: string; state: string }) => { what: string; total?: number } | undefined,
): Progress[] {
  const out: Progress[] = [];
  for (const m of members) {
    if (!Object.values(MAKING_DATA_STATES).includes(m.state as never) || byBasebackup.includes(m.name))
      continue;
    const described = describe(m);
    const done = described && dataBytes(m.name);
    if (!described || done === undefined) continue;
    const { what, total } = described;
    out.push({ task: `${m.name}: ${what}`, done, ...(total ? { total } : {}) });
  }
  return out;
}
