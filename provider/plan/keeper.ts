/**
 * The local keeper's policy, pure: which members whose processes are gone to restart now, with
 * exponential backoff, and when to give up. A member is restarted once it has been seen dead for
 * DEAD_CONFIRM_MS (a process starting or stopping on purpose is not mistaken for a crash), first at
 * once, then after BASE_DELAY_MS, doubling up to MAX_DELAY_MS; after MAX_RESTARTS restarts within
 * WINDOW_MS it gives up, with a status that says so, until `up` (which resets it) runs again.
 * Only a crash loop counts: a member that ran STABLE_MS or longer before it died again starts over
 * (restarted at once, no backoff), as Kubernetes resets a container's backoff once it has run.
 */
export const KEEPER_POLICY = {
  deadConfirmMs: 1000,
  baseDelayMs: 2000,
  maxDelayMs: 60_000,
  maxRestarts: 5,
  windowMs: 10 * 60_000,
  stableMs: 10_000,
} as const;

export interface KeeperMemberState {
  /** When each restart happened (ms since epoch), within the window. */
  restarts: number[];
  /** First time the member was seen dead since it last ran; undefined while it runs. */
  deadSince?: number;
  /** Not before then. */
  nextAt?: number;
  gaveUp?: boolean;
  /** Since when it has been seen running (undefined while dead). */
  aliveSince?: number;
}

export interface KeeperObservation {
  name: string;
  alive: boolean;
  fenced: boolean;
}

export interface KeeperDecision {
  restart: string[];
  gaveUp: string[];
  state: Record<string, KeeperMemberState>;
}

export function planKeeper(
  now: number,
  members: readonly KeeperObservation[],
  previous: Readonly<Record<string, KeeperMemberState>>,
  policy = KEEPER_POLICY,
): KeeperDecision {
  const restart: string[] = [];
  const gaveUp: string[] = [];
  const state: Record<string, KeeperMemberState> = {};
  for (const m of members) {
    const before = previous[m.name] ?? { restarts: [] };
    let restarts = before.restarts.filter((t) => now - t < policy.windowMs);
    if (m.alive) {
      state[m.name] = { restarts, aliveSince: before.aliveSince ?? now };
      continue;
    }
    if (m.fenced) {
      state[m.name] = { restarts, ...(before.gaveUp ? { gaveUp: true } : {}) };
      continue;
    }
    // It ran long enough: not a crash loop, a new incident.
    const stable = before.aliveSince !== undefined && now - before.aliveSince >= policy.stableMs;
    if (stable) restarts = [];
    const deadSince = before.deadSince ?? now;
    if (before.gaveUp) {
      state[m.name] = { restarts, deadSince, gaveUp: true };
      continue;
    }
    const nextAt = stable ? undefined : before.nextAt;
    if (now - deadSince < policy.deadConfirmMs || (nextAt !== undefined && now < nextAt)) {
      state[m.name] = {
        restarts,
        deadSince,
        ...(before.nextAt !== undefined ? { nextAt: before.nextAt } : {}),
      };
      continue;
    }
    if (restarts.length >= policy.maxRestarts) {
      gaveUp.push(m.name);
      state[m.name] = { restarts, deadSince, gaveUp: true };
      continue;
    }
    const delay = Math.min(policy.baseDelayMs * 2 ** restarts.length, policy.maxDelayMs);
    restart.push(m.name);
    // Dead again after this restart: wait `delay` from now before the next one.
    state[m.name] = { restarts: [...restarts, now], nextAt: now + delay };
  }
  return { restart, gaveUp, state };
}
