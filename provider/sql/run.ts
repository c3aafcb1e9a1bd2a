/**
 * The step runner every executor uses. Consecutive steps for the same database are sent as one
 * multi-statement query (one round trip, one implicit transaction); when such a batch fails, its
 * steps are run again one by one, so a failing step never blocks the others and every failure is
 * reported. CREATE/DROP DATABASE run alone; passwords are batched apart, in a quiet transaction.
 */
import type { Connections } from './connections';
import { describeFailure, stepFailure, type SqlFailure } from './errors';
import type { Step } from './steps';
import { setPasswordQuietly, setPasswordsQuietly } from './password';

export interface RunOptions {
  /** Clear passwords by role, for `set-password` steps. */
  passwords?: ReadonlyMap<string, string>;
  /** Statements per round trip. 1: one round trip per statement. @default 100 */
  batchSize?: number;
  /** Called for every step that ran, in order (passwords redacted: steps never hold them). */
  onStep?: (step: Step) => void;
}

export interface RunResult {
  executed: Step[];
  failures: SqlFailure[];
}

export const DEFAULT_BATCH_SIZE = 100;

/** Cuts steps into segments that may share one round trip. */
export function segments(steps: readonly Step[], batchSize: number): Step[][] {
  const out: Step[][] = [];
  let current: Step[] = [];
  const flush = () => {
    if (current.length > 0) out.push(current);
    current = [];
  };
  for (const step of steps) {
    const solo = step.alone === true;
    const last = current[current.length - 1];
    const other =
      last !== undefined &&
      (last.database !== step.database || (last.password === undefined) !== (step.password === undefined));
    if (solo || current.length >= batchSize || other) flush();
    current.push(step);
    if (solo) flush();
  }
  flush();
  return out;
}

export async function runSteps(
  conns: Connections,
  steps: readonly Step[],
  options: RunOptions = {},
): Promise<RunResult> {
  const result: RunResult = { executed: [], failures: [] };
  const unreachable = new Map<string, SqlFailure>();
  const done = (step: Step) => {
    result.executed.push(step);
    options.onStep?.(step);
  };
  for (const segment of segments(steps, Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE))) {
    const database = segment[0]?.database ?? conns.maintenanceDatabase;
    const down = unreachable.get(database);
    if (down) {
      down.keys.push(...segment.map((s) => s.key));
      continue;
    }
    let client;
    try {
      client = await conns.get(database);
    } catch (e) {
      const failure = describeFailure(
        { kind: 'connect', object: `database ${JSON.stringify(database)}`, keys: segment.map((s) => s.key) },
        e,
      );
      unreachable.set(database, failure);
      result.failures.push(failure);
      continue;
    }
    const secrets = segment.map((s) => (s.password ? options.passwords?.get(s.password.role) : undefined));
    const passwords = segment[0]?.password !== undefined;
    if (segment.length > 1 && (!passwords || secrets.every((x) => x !== undefined))) {
      try {
        if (passwords)
          await setPasswordsQuietly(
            client,
            segment.map((s, i) => [s.password?.role as string, secrets[i] as string]),
          );
        else await client.query(segment.map((s) => s.sql).join(';\n'));
        segment.forEach(done);
        continue;
      } catch {
        // the batch rolled back as a whole: find the failing steps one by one
      }
    }
    for (const step of segment) {
      try {
        if (step.password) {
          const secret = options.passwords?.get(step.password.role);
          if (secret === undefined)
            throw new Error(`no password was given for role ${JSON.stringify(step.password.role)}`);
          await setPasswordQuietly(client, step.password.role, secret);
        } else await client.query(step.sql);
        done(step);
      } catch (e) {
        result.failures.push(stepFailure(step, e));
      }
    }
  }
  for (const failure of unreachable.values()) {
    const n = failure.keys.length;
    failure.message += ` (${n} statement${n === 1 ? '' : 's'} not run)`;
  }
  return result;
}

export function mergeResults(...results: RunResult[]): RunResult {
  return {
    executed: results.flatMap((r) => r.executed),
    failures: results.flatMap((r) => r.failures),
  };
}
