/**
 * `up`: make the cluster match the spec. Idempotent: the same spec twice changes nothing and
 * restarts nothing. Steps: preflight -> provision -> healthy -> dynamic configuration ->
 * bootstrap objects -> roles, databases, grants -> scale-down -> desired primary -> pooler -> record.
 * A failed SQL statement does not stop the others nor the later steps; `up` then fails listing all.
 */
import type { ClusterSpec } from '../spec/cluster';
import type { Platform } from '../platform/types';
import { ActionError, InputError } from '../errors';
import { formatFailure } from '../sql/errors';
import { connectTo, withClient } from '../sql/connect';
import { ensureAppObjects } from '../sql/bootstrap';
import { appOf } from '../spec/bootstrap';
import { applyDynamicConfig, leaveMaintenance } from './config';
import { waitHealthy } from './health';
import type { Reporter } from '../report/reporter';
import { reachMember } from '../platform/reach';
import { pickCandidate, switchover } from './switchover';
import { applySqlObjects, checkPasswords, refreshPoolerUsers } from './sql-objects';
import type { PoolerUser } from '../sql/pooler-users';
import type { ClusterAccess, ProvisionInputs } from '../platform/types';
import { ensureArchive } from './archive';
import { servingMembers } from '../plan/members';
import { getCluster } from '../patroni/api';
import { isRunningLeader } from '../patroni/roles';
import { isReplicaCluster } from '../spec/replica';
import { notApplicable } from '../spec/rules';
import { reconcileReplicaRole } from './replica';

export interface UpResult {
  primary: string;
  members: string[];
  seconds: number;
  restarted: string[];
  removed: string[];
  /** Statements run for roles[], databases[] and grants[]. */
  sqlStatements: number;
}

export interface UpOptions {
  /** Clear passwords of roles[] by role name (the CLI resolves fromEnv/fromFile). */
  passwords?: ReadonlyMap<string, string>;
  /**
   * The managed login roles the pooler admits, with their verifiers, when the caller knows them
   * (Pulumi creates the roles after the cluster). Absent: read from the server after the SQL step.
   */
  poolerUsers?: PoolerUser[];
  /** The backup secrets the spec's references name, read by the caller, and where relative paths start. */
  inputs?: ProvisionInputs;
}

export const READY_TIMEOUT_MS = 180_000;

/**
 * Counts the steps that changed something. Every change an `up` makes is reported as a step
 * (STYLE 11); the waits, the checks and "nothing to change" are not changes. None: the closing
 * sentence says so and what was checked.
 */
function countingChanges(reporter: Reporter): { reporter: Reporter; changes: () => number } {
  let changes = 0;
  const notAChange = (message: string) =>
    message.startsWith(WAITING) ||
    message.startsWith(CHECKING) ||
    / nothing to change/.test(message) ||
    message.startsWith('still waiting');
  return {
    reporter: {
      step: (message) => {
        if (!notAChange(message)) changes++;
        reporter.step(message);
      },
      done: (summary) => reporter.done(summary),
      ...(reporter.progress ? { progress: reporter.progress.bind(reporter) } : {}),
    },
    changes: () => changes,
  };
}

const WAITING = 'waiting for ';
const CHECKING = 'checking ';

/** What a no-op `up` compared with the spec, in a few words. */
export function checkedItems(spec: ClusterSpec, members: number, primary: string): string[] {
  const sync = spec.synchronous ? Math.min(spec.synchronous.number, members - 1) : 0;
  const sql = spec.roles.length + spec.databases.length + spec.grants.length;
  return [
    `primary ${primary} and ${members - 1} replica(s) streaming${sync > 0 ? `, ${sync} of them synchronous` : ''}`,
    'the Patroni configuration',
    ...(sql > 0 ? [`${sql} role(s), database(s) and grant(s)`] : ['the application database and owner']),
    ...(spec.pooler.enabled ? ['the pooler'] : []),
    ...(spec.backup ? ['the archive'] : []),
    ...(spec.backup?.schedule && Object.keys(spec.backup.schedule).length > 0 ? ['the backup schedule'] : []),
  ];
}

/**
 * A cluster this `up` created from another server (a clone, a restore) or with an archive, and that
 * never came up or whose archive does not work, is removed again: nothing half-created is left
 * running, and it holds nobody's data yet. The members' last log lines go into the error first.
 * An existing cluster is never removed.
 */
async function untilArchived<T>(
  platform: Platform,
  spec: ClusterSpec,
  created: boolean,
  reporter: Reporter,
  access: ClusterAccess,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (e) {
    const external = spec.backup || spec.bootstrap.recovery || spec.bootstrap.pgBasebackup;
    if (!created || !external) throw e;
    const logs = access.logTails?.(10) ?? '';
    await platform.destroy(spec.name, reporter);
    const message = `${(e as Error).message}\n(the new cluster ${spec.name} was removed again: nothing is left running)${logs ? `\n${logs}` : ''}`;
    throw e instanceof InputError ? new InputError(message) : new ActionError(message, { cause: e });
  }
}

/** spec.hibernate: every process stopped, data kept; `hibernate: false` resumes on the same data. */
async function hibernate(
  platform: Platform,
  spec: ClusterSpec,
  reporter: Reporter,
  started: number,
): Promise<UpResult> {
  const runtime = await platform.runtime(spec.name);
  if (!runtime.exists)
    throw new InputError(
      `hibernate: true: cluster ${spec.name} does not exist yet; create it with hibernate: false first`,
    );
  if (!platform.hibernate)
    throw new InputError(`hibernate: not available on platform ${platform.kind} through this command`);
  const running = runtime.members.filter((m) => m.running).length;
  await platform.hibernate(spec, reporter);
  const seconds = (Date.now() - started) / 1000;
  reporter.done(
    running > 0
      ? `hibernated ${spec.name} in ${seconds.toFixed(1)} s: ${running} member(s) and every service stopped, data kept (hibernate: false resumes it)`
      : `cluster ${spec.name}: hibernating, nothing to change (checked in ${seconds.toFixed(1)} s)`,
  );
  return { primary: '', members: [], seconds, restarted: [], removed: [], sqlStatements: 0 };
}

/**
 * A running primary that the spec fences is switched away from first (through the pooler, as a
 * planned switchover), to a replica that stays unfenced, so provision then only stops a replica.
 */
async function switchOffFencedPrimary(platform: Platform, spec: ClusterSpec, reporter: Reporter) {
  const runtime = await platform.runtime(spec.name);
  if (spec.fenced.length === 0 || !runtime.exists) return;
  const access = await platform.access(spec.name);
  const cluster = await getCluster(Object.values(access.apiUrls()));
  const leader = cluster?.members.find(isRunningLeader);
  if (!cluster || !leader || !spec.fenced.includes(leader.name)) return;
  const to = pickCandidate(cluster, leader.name, spec.fenced, spec.synchronous !== undefined);
  if (!to)
    throw new ActionError(
      `fenced: ${leader.name} is the primary and no unfenced ${spec.synchronous ? 'synchronous ' : ''}replica streams to take over; nothing was changed`,
    );
  reporter.step(`${leader.name} is to be fenced and is the primary: switching over to ${to} first`);
  // Until provision, the members not running now stay down whatever the spec says.
  const down = runtime.members.filter((m) => !m.running).map((m) => m.name);
  const fenced = [...new Set([...spec.fenced, ...down])].filter((m) => m !== leader.name);
  await switchover(platform, access, { ...spec, fenced }, to, reporter);
}

export async function up(
  platform: Platform,
  spec: ClusterSpec,
  outer: Reporter,
  options: UpOptions = {},
): Promise<UpResult> {
  const started = Date.now();
  const { reporter, changes } = countingChanges(outer);
  const passwords = options.passwords ?? new Map<string, string>();
  checkPasswords(spec, passwords);
  await platform.preflight(spec, options.inputs);
  for (const note of notApplicable(spec)) outer.step(note);
  if (spec.hibernate) return hibernate(platform, spec, reporter, started);
  await switchOffFencedPrimary(platform, spec, reporter);
  const recorded = (await platform.runtime(spec.name)).spec;
  const { toRemove, created } = await platform.provision(spec, reporter, options.inputs);
  const access = await platform.access(spec.name);
  const all = servingMembers(Object.keys(access.apiUrls()), spec.fenced);
  if (!created) await leaveMaintenance(access, spec, reporter);
  const members = all.filter((m) => !toRemove.includes(m));
  reporter.step(
    changes() > 0 || created
      ? `${WAITING}${all.length} member(s) to be healthy`
      : `${CHECKING}${all.length} member(s) against the spec`,
  );
  let health = await untilArchived(platform, spec, created, reporter, access, () =>
    waitHealthy(access, spec, all, READY_TIMEOUT_MS, reporter),
  );
  const role = await reconcileReplicaRole(platform, spec, access, created ? spec : recorded, reporter);
  if (role.change) health = await waitHealthy(access, spec, all, READY_TIMEOUT_MS, reporter);
  // A replica cluster is read-only: its roles, databases and archive are the source's.
  const readOnly = isReplicaCluster(spec);
  const standby = readOnly ? await platform.standbyCluster?.(spec) : undefined;
  const config = await applyDynamicConfig(access, spec, health, all, reporter, platform, toRemove, standby);
  // A rolling restart switches over: everything after this works on the new primary.
  if (config.restarted.length > 0) health = await waitHealthy(access, spec, all, READY_TIMEOUT_MS, reporter);
  await platform.ensureReplicationRole?.(spec, reporter);
  if (!readOnly)
    await untilArchived(platform, spec, created, reporter, access, () =>
      ensureArchive(access, spec, reporter),
    );
  const leader = readOnly ? undefined : health.leader;
  if (leader) {
    const ran = await withClient(
      await connectTo(await reachMember(access, leader), access.superuser()),
      (c) => ensureAppObjects(c, { ...appOf(spec.bootstrap), verifier: access.appVerifier() }),
    );
    for (const statement of ran) reporter.step(statement);
  }
  const sql = leader
    ? await applySqlObjects(access, spec, await reachMember(access, leader), passwords, reporter)
    : { statements: 0, failures: [] };
  if (options.poolerUsers) access.savePoolerUsers?.(options.poolerUsers);
  else if (leader) await refreshPoolerUsers(access, spec, await reachMember(access, leader));
  if (toRemove.length > 0) {
    // Never the primary: should it be one of them now, switch over to a member that stays first.
    const now = await getCluster(Object.values(access.apiUrls()));
    const leaderNow = now?.members.find(isRunningLeader)?.name;
    if (now && leaderNow && toRemove.includes(leaderNow)) {
      const to = pickCandidate(now, leaderNow, toRemove, spec.synchronous !== undefined);
      if (!to)
        throw new ActionError(
          `instances: ${leaderNow} is the primary and would be removed, and no member that stays can take over; nothing was removed`,
        );
      await switchover(platform, access, spec, to, reporter);
    }
    await platform.removeMembers(spec, toRemove, reporter);
    health = await waitHealthy(access, spec, members, READY_TIMEOUT_MS, reporter);
  }
  let primary = health.leader?.name as string;
  if (spec.primary && spec.primary !== primary) {
    primary = (await switchover(platform, access, spec, spec.primary, reporter)).to;
  }
  await platform.syncPooler(spec, primary, reporter);
  await platform.syncSchedules(spec, reporter);
  await platform.commit(spec);
  if (sql.failures.length > 0)
    throw new ActionError(
      `${sql.failures.length} roles/databases/grants action(s) failed (the others were applied):\n` +
        sql.failures.map((f) => `  - ${formatFailure(f)}`).join('\n'),
    );
  const seconds = (Date.now() - started) / 1000;
  reporter.done(
    changes() === 0 && !created
      ? `cluster ${spec.name}: nothing to change, checked in ${seconds.toFixed(1)} s: ${checkedItems(spec, members.length, primary).join(', ')}`
      : readOnly
        ? `cluster ${spec.name} ready in ${seconds.toFixed(1)} s: a read-only replica cluster of ${spec.replica?.source.cluster ?? spec.replica?.source.host} ` +
          `(via ${spec.replica?.via}), standby leader ${primary}, ${members.length - 1} replica(s) cascading from it`
        : `cluster ${spec.name} ready in ${seconds.toFixed(1)} s: primary ${primary}, ` +
          `${members.length - 1} replica(s) streaming${spec.synchronous ? ' (synchronous)' : ''}`,
  );
  return {
    primary,
    members,
    seconds,
    restarted: config.restarted,
    removed: toRemove,
    sqlStatements: sql.statements,
  };
}
