/**
 * Who a cluster's members replicate as. A cluster of a replica group on platform.local streams as
 * a role of its own, `<cluster>_replication` (its own secret, its own client certificate), both
 * within the cluster (cascading) and across sites (its standby leader from the source): Patroni has
 * one replication login per member (`authentication.replication`), and a replica cluster is a
 * physical copy of its source's catalog, so a role created on the source for it exists on it too.
 * A cluster following an external primary (replica.source.host), or on platform.kubernetes its
 * source's -rw Service, replicates as source.user (`replicator`, or a dedicated role the source
 * declares in its roles with login and replication). Every other cluster keeps `replicator`. Pure.
 */
import type { ClusterSpec } from '../spec/cluster';
import { REPLICATION_GROUP, REPLICATION_USER, dedicatedReplicationRole } from '../naming';

/** The role this cluster's members replicate as (Patroni's authentication.replication.username). */
export function replicationUser(spec: Pick<ClusterSpec, 'name' | 'replica' | 'platform'>): string {
  const r = spec.replica;
  if (!r) return REPLICATION_USER;
  if (r.source.host !== undefined) return r.source.user;
  if (!spec.platform.local) return REPLICATION_USER;
  return dedicatedReplicationRole(spec.name);
}

/**
 * The users pg_hba admits for replication: this cluster's own, the peer's dedicated role (the other
 * cluster of its group, which streams from this one after a switch) and, on platform.local, the
 * members of REPLICATION_GROUP: the dedicated role of every replica cluster created on this
 * cluster as its source (a source does not know its replica clusters from its own spec), and the
 * login roles of roles[] with REPLICATION (declaredReplicationRoles), on every platform. A group
 * cluster keeps admitting `replicator`, which no member of it logs in as: a cluster created by an
 * earlier version streams as it until its own `up` switches it, and its source's pg_hba, changed
 * by the replica cluster's `up` first, must not lock it out meanwhile.
 */
export function replicationHbaUsers(spec: ClusterSpec): string[] {
  const own = replicationUser(spec);
  const declared = declaredReplicationRoles(spec);
  if (!spec.platform.local) return [...new Set([own, ...declared])];
  const peer = spec.replica?.source.cluster;
  const legacy = spec.replica?.source.host === undefined ? [REPLICATION_USER] : [];
  const users = [own, ...(peer ? [dedicatedReplicationRole(peer)] : []), ...legacy, `+${REPLICATION_GROUP}`];
  return [...new Set([...users, ...declared])];
}

/**
 * The login roles of roles[] with REPLICATION: admitted for streaming like the cluster's own (a
 * client certificate under tls.clientAuth.replication, else the password), e.g. the dedicated
 * replication role of a replica cluster on another site (its replica.source.user). A name other
 * than a lower-case identifier is quoted (pg_hba would read `+x` as a group, `Ann` as `ann`); one
 * with a double quote cannot be written there and is left out.
 */
function declaredReplicationRoles(spec: ClusterSpec): string[] {
  return spec.roles
    .filter((r) => r.replication && r.login && r.ensure !== 'absent' && !/["\r\n]/.test(r.name))
    .map((r) => (/^[a-z_][a-z0-9_]*$/.test(r.name) ? r.name : `"${r.name}"`));
}
