/**
 * Cluster health as the actions judge it, platform-neutral: Patroni's view (one leader, every
 * replica `streaming`, the synchronous standbys named) confirmed by PostgreSQL's (each replica
 * streaming in pg_stat_replication, the synchronous standbys in place). Both, so that what `up`
 * reports is what `status` shows right after.
 */
import type { ClusterSpec } from '../spec/cluster';
import type { ClusterAccess } from '../platform/types';
import { ActionError } from '../errors';
import { connectTo, withClient } from '../sql/connect';
import { getCluster, type PatroniCluster, type PatroniMember } from '../patroni/api';
import { isLeaderRole, isRunningLeader, isSynchronousRole, MEMBER_STATE } from '../patroni/roles';
import { reachMember } from '../platform/reach';
import { sleep } from '../util/sleep';
import type { Progress, Reporter } from '../report/reporter';
import { catchUpProgress, dataDirProgress, MAKING_DATA_STATES, readCatchUp } from './catch-up';

const PROGRESS_EVERY_MS = 5000;
/** How often the primary is asked how far a base backup or a catching-up replica is. */
const CATCH_UP_EVERY_MS = 1000;

/**
 * Reports the base backups and catching-up replicas the primary sees, while `up` waits (best
 * effort: a reading that fails is skipped). A task that is gone since the last reading is done.
 */
function catchUpReporter(access: ClusterAccess, reporter: Reporter) {
  const behindAtFirst = new Map<string, number>();
  let open = new Map<string, Progress>();
  let next = 0;
  const finish = (keep: Set<string>) => {
    for (const [task, p] of open)
      if (!keep.has(task)) reporter.progress?.({ ...p, done: p.total ?? p.done, finished: true });
  };
  return {
    async poll(health: Health, spec: ClusterSpec): Promise<void> {
      if (!reporter.progress || Date.now() < next) return;
      next = Date.now() + CATCH_UP_EVERY_MS;
      const leader = health.leader;
      const members = health.cluster?.members ?? [];
      const creating = members.filter((m) => m.state === MAKING_DATA_STATES.replica).map((m) => m.name);
      let fromPrimary: Progress[] = [];
      if (leader) {
        try {
          const reading = await withClient(
            await connectTo(await reachMember(access, leader), access.superuser()),
            readCatchUp,
          );
          fromPrimary = catchUpProgress(reading, leader.name, creating, behindAtFirst);
        } catch {
          // the primary is busy or restarting: the next reading tells
        }
      }
      const byBasebackup = fromPrimary.some((p) => p.task.includes(': base backup from ')) ? creating : [];
      const fromDataDirs = access.dataBytes
        ? dataDirProgress(
            members,
            byBasebackup,
            (m) => access.dataBytes?.(m),
            (m) =>
              m.state === MAKING_DATA_STATES.bootstrap
                ? { what: spec.bootstrap.recovery ? 'restoring the backup' : 'copying from the source' }
                : spec.backup
                  ? { what: 'restoring the latest backup', total: access.lastBackup?.()?.size }
                  : undefined,
          )
        : [];
      // A total seen once stays (the primary reports none before and after streaming the files).
      const now = [...fromPrimary, ...fromDataDirs].map((p) =>
        p.total === undefined && open.get(p.task)?.total !== undefined
          ? { ...p, total: open.get(p.task)?.total }
          : p,
      );
      finish(new Set(now.map((p) => p.task)));
      open = new Map(now.map((p) => [p.task, p]));
      for (const p of now) reporter.progress(p);
    },
    /** Closes the tasks still open (the cluster is healthy). */
    end(): void {
      finish(new Set());
      open.clear();
    },
  };
}

export interface Health {
  healthy: boolean;
  leader?: PatroniMember;
  /** One line per member: what it is doing, or why it is not healthy yet. */
  problems: string[];
  cluster?: PatroniCluster;
}

interface ReplicationRow {
  application_name: string;
  state: string;
  sync_state: string;
}

export async function checkHealth(
  access: ClusterAccess,
  spec: ClusterSpec,
  expected: readonly string[],
): Promise<Health> {
  const cluster = await getCluster(Object.values(access.apiUrls()));
  if (!cluster) return { healthy: false, problems: ['no Patroni REST API answers yet'] };
  const problems: string[] = [];
  const leaders = cluster.members.filter(isRunningLeader);
  if (leaders.length !== 1) problems.push(`${leaders.length} running leaders (want 1)`);
  const leader = leaders[0];
  for (const name of expected) {
    const m = cluster.members.find((x) => x.name === name);
    if (!m) problems.push(`${name}: not registered in the DCS yet`);
    else if (isLeaderRole(m.role) ? !isRunningLeader(m) : m.state !== MEMBER_STATE.streaming)
      problems.push(`${name}: ${m.role} ${m.state}`);
  }
  if (!leader || problems.length > 0) return { healthy: false, leader, problems, cluster };
  const replicas = expected.filter((n) => n !== leader.name);
  if (replicas.length === 0) return { healthy: true, leader, problems, cluster };
  try {
    const rows = await withClient(
      await connectTo(await reachMember(access, leader), access.superuser()),
      async (c) =>
        (await c.query<ReplicationRow>('select application_name, state, sync_state from pg_stat_replication'))
          .rows,
    );
    for (const name of replicas) {
      const row = rows.find((r) => r.application_name === name);
      if (!row || row.state !== 'streaming')
        problems.push(`${name}: ${row ? row.state : 'not connected to the primary'}`);
    }
    const wantSync = spec.synchronous ? Math.min(spec.synchronous.number, replicas.length) : 0;
    const sync = rows.filter((r) => r.sync_state === 'sync' || r.sync_state === 'quorum').length;
    if (sync < wantSync) problems.push(`${sync} synchronous standby(s) (want ${wantSync})`);
    // What status and a switchover read: Patroni's record of them (its /sync key, a loop later).
    const named = cluster.members.filter(
      (m) => replicas.includes(m.name) && isSynchronousRole(m.role),
    ).length;
    if (sync >= wantSync && named < wantSync)
      problems.push(`Patroni names ${named} synchronous standby(s) yet (want ${wantSync})`);
  } catch (e) {
    problems.push(`${leader.name}: ${(e as Error).message}`);
  }
  return { healthy: problems.length === 0, leader, problems, cluster };
}

/** Waits until healthy; on timeout, fails with each member's state. */
export async function waitHealthy(
  access: ClusterAccess,
  spec: ClusterSpec,
  expected: readonly string[],
  timeoutMs: number,
  reporter?: Reporter,
): Promise<Health> {
  const deadline = Date.now() + timeoutMs;
  let last: Health = { healthy: false, problems: [] };
  let nextReport = Date.now() + PROGRESS_EVERY_MS;
  const catchUp = reporter ? catchUpReporter(access, reporter) : undefined;
  while (Date.now() < deadline) {
    const dead = access.processProblems?.() ?? [];
    if (dead.length > 0)
      throw new ActionError(
        `cluster ${spec.name} cannot become healthy:\n${dead.map((p) => `  - ${p}`).join('\n')}`,
      );
    last = await checkHealth(access, spec, expected);
    if (last.healthy) {
      catchUp?.end();
      return last;
    }
    await catchUp?.poll(last, spec);
    if (reporter && Date.now() >= nextReport) {
      reporter.step(`still waiting: ${last.problems.join('; ')}`);
      nextReport = Date.now() + PROGRESS_EVERY_MS;
    }
    await sleep(200);
  }
  throw new ActionError(
    `cluster ${spec.name} not healthy after ${Math.round(timeoutMs / 1000)} s:\n` +
      last.problems.map((p) => `  - ${p}`).join('\n'),
  );
}
