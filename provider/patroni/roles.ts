/**
 * Patroni 4.x's vocabulary, mapped in this one place: member roles in `/cluster`, the roles a
 * callback is given, member states, and the values of the Kubernetes role label. Pure (no I/O):
 * render/ builds selectors from it, the REST client and the actions judge members with it.
 */

/** Roles in `GET /cluster` (Patroni 4.x; `leader` replaced `master` in 3.0, quorum came in 4.0). */
export const CLUSTER_ROLE = {
  leader: 'leader',
  standbyLeader: 'standby_leader',
  syncStandby: 'sync_standby',
  quorumStandby: 'quorum_standby',
  replica: 'replica',
} as const;

/** Member states in `GET /cluster`: a leader that serves is `running`, a replica that replicates `streaming`. */
export const MEMBER_STATE = {
  running: 'running',
  streaming: 'streaming',
  /** A standby leader that restores its source's archive (a replica cluster via archive). */
  archiveRecovery: 'in archive recovery',
} as const;

/** States of a member that serves: the primary `running`, a replica `streaming` (or `running` before it connects). */
export const SERVING_STATES: readonly string[] = [MEMBER_STATE.running, MEMBER_STATE.streaming];

/** The role Patroni 4.x passes to `on_start`/`on_role_change` callbacks for a primary. */
export const CALLBACK_PRIMARY_ROLES: readonly string[] = ['primary'];

/**
 * The Kubernetes role label as Patroni 4.x writes it on pods (its defaults `role_label`,
 * `leader_label_value`, `follower_label_value`; a standby leader is labelled `primary` too).
 */
export const KUBERNETES_ROLE_LABEL = { key: 'role', primary: 'primary', replica: 'replica' } as const;

/** The leader of the cluster: its primary, or in a standby cluster its standby leader. */
export function isLeaderRole(role: string): boolean {
  return role === CLUSTER_ROLE.leader || role === CLUSTER_ROLE.standbyLeader;
}

/** A standby that commits wait for: `sync_standby` (synchronous.method first) or `quorum_standby` (any). */
export function isSynchronousRole(role: string): boolean {
  return role === CLUSTER_ROLE.syncStandby || role === CLUSTER_ROLE.quorumStandby;
}

export function isServing(state: string): boolean {
  return SERVING_STATES.includes(state);
}

/**
 * A leader that serves: a primary `running`; a standby leader `running`, `streaming` (from its
 * source) or `in archive recovery` (from its source's archive).
 */
export function isRunningLeader(m: { role: string; state: string }): boolean {
  if (m.role === CLUSTER_ROLE.standbyLeader)
    return isServing(m.state) || m.state === MEMBER_STATE.archiveRecovery;
  return m.role === CLUSTER_ROLE.leader && m.state === MEMBER_STATE.running;
}
