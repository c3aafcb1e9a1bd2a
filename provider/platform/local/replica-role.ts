/**
 * The dedicated replication role of a cluster of a replica group (render/replication-user.ts):
 * created on the group's writable primary cluster (the source of a replica cluster, or the cluster
 * itself while it is the primary) from a SCRAM verifier, so its password never reaches the server,
 * with REPLICATION and LOGIN, a member of REPLICATION_GROUP (which the pg_hba of every local
 * cluster admits for replication). The physical copies of the group carry it to every cluster.
 */
import type { ClusterAccess } from '../types';
import { leaderOf } from '../../patroni/api';
import { CLUSTER_ROLE } from '../../patroni/roles';
import { connectTo, withClient } from '../../sql/connect';
import { quoteIdent as q, quoteLiteral } from '../../sql/quote';
import { reachMember } from '../reach';
import { roleVerifier } from '../../secrets/scram';
import { REPLICATION_GROUP } from '../../naming';

export type RoleChange = 'created' | 'updated' | 'unchanged' | 'dropped' | 'absent';

/** The primary (writable leader) of the cluster behind `access`, or undefined (none, or a standby cluster). */
async function writableLeader(access: ClusterAccess) {
  const leader = await leaderOf(Object.values(access.apiUrls()));
  return leader?.role === CLUSTER_ROLE.leader ? leader : undefined;
}

/**
 * Makes `role` a LOGIN REPLICATION member of REPLICATION_GROUP with the verifier of `password` on
 * the primary behind `access`. Undefined when that cluster has no writable primary now. `archived`:
 * a replica cluster that reads the archive gets the change once its WAL segment is archived, so
 * the segment is switched at once (its cascading members log in as the role).
 */
export async function ensureReplicationRole(
  access: ClusterAccess,
  role: string,
  password: string,
  archived = false,
): Promise<RoleChange | undefined> {
  const leader = await writableLeader(access);
  if (!leader) return undefined;
  const verifier = roleVerifier(role, password);
  return withClient(await connectTo(await reachMember(access, leader), access.superuser()), async (c) => {
    await c.query(
      `do $$ begin if not exists (select from pg_roles where rolname = ${quoteLiteral(REPLICATION_GROUP)}) ` +
        `then create role ${q(REPLICATION_GROUP)} nologin; end if; end $$`,
    );
    const { rows } = await c.query<{ replication: boolean; login: boolean; same: boolean; member: boolean }>(
      `select rolreplication as replication, rolcanlogin as login, rolpassword = $2 as same,
              pg_has_role(oid, (select oid from pg_roles where rolname = $3), 'member') as member
         from pg_authid where rolname = $1`,
      [role, verifier, REPLICATION_GROUP],
    );
    const now = rows[0];
    if (now?.replication && now.login && now.same && now.member) return 'unchanged';
    if (!now)
      await c.query(
        `create role ${q(role)} with login replication password ${quoteLiteral(verifier)} in role ${q(REPLICATION_GROUP)}`,
      );
    else {
      await c.query(`alter role ${q(role)} with login replication password ${quoteLiteral(verifier)}`);
      if (!now.member) await c.query(`grant ${q(REPLICATION_GROUP)} to ${q(role)}`);
    }
    if (archived) await c.query('select pg_switch_wal()');
    return now ? 'updated' : 'created';
  });
}

/** Drops `role` on the primary behind `access`; undefined when that cluster has no writable primary now. */
export async function dropReplicationRole(
  access: ClusterAccess,
  role: string,
): Promise<RoleChange | undefined> {
  const leader = await writableLeader(access);
  if (!leader) return undefined;
  return withClient(await connectTo(await reachMember(access, leader), access.superuser()), async (c) => {
    const { rows } = await c.query('select 1 from pg_roles where rolname = $1', [role]);
    if (rows.length === 0) return 'absent';
    await c.query(`drop role ${q(role)}`);
    return 'dropped';
  });
}
