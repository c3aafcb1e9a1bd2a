/**
 * Before a StatefulSet loses members (it removes the highest ordinals), the primary must not be
 * among them: deleting its pod would be an unplanned failover, and without synchronous
 * replication acknowledged writes could be lost. This decides what to do first. Pure.
 */
import { memberSlot } from '../naming';
import { isLeaderRole, isServing, isSynchronousRole } from '../patroni/roles';

/** A member as Patroni's /cluster reports it (the fields this needs). */
export interface MemberView {
  name: string;
  role: string;
  state: string;
  lag?: number | string;
}

export type ScaleDownStep =
  | { kind: 'none'; why: string }
  | { kind: 'switchover'; from: string; to: string }
  | { kind: 'refuse'; reason: string };

export function planScaleDown(
  cluster: string,
  members: readonly MemberView[],
  instances: number,
  synchronous: boolean,
): ScaleDownStep {
  const kept = (m: MemberView) => (memberSlot(cluster, m.name) ?? Infinity) <= instances;
  const leader = members.find((m) => isLeaderRole(m.role));
  if (!leader) return { kind: 'none', why: 'no primary (nothing to move)' };
  if (kept(leader)) return { kind: 'none', why: `the primary ${leader.name} stays` };
  const running = members.filter((m) => kept(m) && isServing(m.state));
  const eligible = synchronous ? running.filter((m) => isSynchronousRole(m.role)) : running;
  const best = [...eligible].sort(
    (a, b) => Number(a.lag ?? 0) - Number(b.lag ?? 0) || (a.name < b.name ? -1 : 1),
  )[0];
  if (!best)
    return {
      kind: 'refuse',
      reason:
        `instances ${instances}: the primary ${leader.name} would be removed and no remaining member can take ` +
        `over safely (${synchronous ? 'no synchronous standby among' : 'none running among'} ` +
        `${
          members
            .filter(kept)
            .map((m) => m.name)
            .join(', ') || 'them'
        }); switch over to a remaining member first`,
    };
  return { kind: 'switchover', from: leader.name, to: best.name };
}
