/**
 * What Patroni's logs say happened in a window: read each member's patroni.log from an offset and
 * count demotions, promotions, leader-lock trouble and changes of the lock owner.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type LogOffsets = Map<string, number>;

function logFiles(membersDir: string): string[] {
  if (!existsSync(membersDir)) return [];
  return readdirSync(membersDir)
    .map((m) => join(membersDir, m, 'patroni.log'))
    .filter((f) => existsSync(f));
}

export function logOffsets(membersDir: string): LogOffsets {
  return new Map(logFiles(membersDir).map((f) => [f, statSync(f).size]));
}

export interface LogFindings {
  /** "Demoting self (...)", "demoted self because ...", "Demoting primary ...". */
  demotions: string[];
  /** "promoted self to leader ...", "acquired session lock as a leader". */
  promotions: string[];
  /** "failed to update leader lock", DCS errors on the leader. */
  lockTrouble: string[];
  /** How often the "Lock owner: X" a member logs changed to another value (None included); the most of any member. */
  lockOwnerChanges: number;
  /** The changes themselves, "member: A -> B at time". */
  lockOwnerTransitions: string[];
}

const DEMOTION = /demot/i;
const PROMOTION = /promoted self to leader|acquired session lock as a leader/;
const LOCK_TROUBLE =
  /failed to update leader lock|DCS is not accessible|Could not take out TTL lock|Error communicating with DCS/i;
const LOCK_OWNER = /^(\S+ \S+) INFO: Lock owner: (\S+); I am (\S+)/;

/** Scans what each log gained since `since` (files that did not exist then are read whole). */
export function scanLogs(membersDir: string, since: LogOffsets): LogFindings {
  const found: LogFindings = {
    demotions: [],
    promotions: [],
    lockTrouble: [],
    lockOwnerChanges: 0,
    lockOwnerTransitions: [],
  };
  for (const file of logFiles(membersDir)) {
    const text = readFileSync(file)
      .subarray(since.get(file) ?? 0)
      .toString('utf8');
    let owner: string | undefined;
    let changes = 0;
    for (const line of text.split('\n')) {
      if (DEMOTION.test(line)) found.demotions.push(line.trim());
      if (PROMOTION.test(line)) found.promotions.push(line.trim());
      if (LOCK_TROUBLE.test(line)) found.lockTrouble.push(line.trim());
      const m = LOCK_OWNER.exec(line);
      if (m) {
        const [, at, now, me] = m as unknown as [string, string, string, string];
        if (owner !== undefined && now !== owner) {
          changes++;
          found.lockOwnerTransitions.push(`${me}: ${owner} -> ${now} at ${at}`);
        }
        owner = now;
      }
    }
    found.lockOwnerChanges = Math.max(found.lockOwnerChanges, changes);
  }
  return found;
}
