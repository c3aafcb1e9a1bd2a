/**
 * Names are a public contract: member names, ports and file locations derive from here only.
 * Pure: no I/O.
 */

/** Members are `<cluster>-<slot>`, slot 1..N, like CloudNativePG's instance names. */
export function memberName(cluster: string, slot: number): string {
  return `${cluster}-${slot}`;
}

/** The slot of a member name of this cluster, or undefined when the name is not one of ours. */
export function memberSlot(cluster: string, member: string): number | undefined {
  const prefix = `${cluster}-`;
  if (!member.startsWith(prefix)) return undefined;
  const rest = member.slice(prefix.length);
  return /^[1-9][0-9]*$/.test(rest) ? Number(rest) : undefined;
}

/** Role names pgcluster creates and owns. */
export const SUPERUSER = 'postgres';
export const REPLICATION_USER = 'replicator';
export const REWIND_USER = 'rewinder';
export const POOLER_ADMIN_USER = 'pgbouncer_admin';
