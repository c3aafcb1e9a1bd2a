/**
 * Makes roles, databases and grants on a server equal to the desired state, in three phases:
 *   1. roles (create, alter, passwords, comments, memberships), databases (create, alter);
 *   2. database grants, then inside each database: schemas, extensions, then grants;
 *   3. database drops (reclaimPolicy delete only), then role drops.
 * Each phase observes what it needs (one query per catalog), plans (pure) and applies. A failing
 * statement never stops the others; every failure is returned. Needs only a `pg` client config.
 * Phase two skips the databases no WAL record touched since the last apply saw them equal to the
 * spec (./watermarks), and leaves new watermarks in `managed`.
 */
import { withConnections, type Connections, type PgConfig } from './connections';
import type { SqlFailure } from './errors';
import type { DesiredSql } from './desired';
import { applyDatabaseDrops, applyDatabases } from './databases/apply';
import type { DatabasePlan } from './databases/model';
import { observeDatabases } from './databases/observe';
import { planDatabases } from './databases/plan';
import { databaseDropSteps, databaseSteps } from './databases/statements';
import { applyInside, insideDatabases, planInside } from './inside';
import { emptyManaged, keptRoles, nextManaged, withDepartures, type ManagedSql } from './managed';
import { applyRoleDrops, applyRoles } from './roles/apply';
import type { ObservedRole, RolePlan } from './roles/model';
import { observeRoles } from './roles/observe';
import { planRoles } from './roles/plan';
import { roleDropSteps, roleSteps } from './roles/statements';
import { mergeResults, type RunOptions, type RunResult } from './run';
import type { Step } from './steps';
import { passwordFingerprint } from '../secrets/fingerprint';
import { advanceQuiet, nextWatermarks, type Watermarks } from './watermarks/model';
import { checkWatermarks, type WatermarkCheck } from './watermarks/observe';

/** Databases worked on at the same time: one connection each, so it also bounds the connections. */
export const DEFAULT_CONCURRENCY = 8;

export interface ReconcileOptions {
  /** Statements per round trip (1: one each). @default 100 */
  batchSize?: number;
  /** Databases worked on at the same time (8: the fastest on 2 cores, measured with bench:sql). @default 8 */
  concurrency?: number;
  /** Called for each statement that ran (passwords redacted). */
  onStep?: (step: Step) => void;
}

export interface ReconcileResult {
  executed: Step[];
  failures: SqlFailure[];
  /** Things a person should know that are not failures (a database retained, ...). */
  notes: string[];
  /** What is managed now: store it and pass it as `previous` next time. */
  managed: ManagedSql;
  /** Databases unchanged since the last apply (no WAL touched them): not connected to. */
  skipped: string[];
}

export interface SqlPlan {
  steps: Step[];
  failures: SqlFailure[];
  notes: string[];
  /** Databases unchanged since the last apply (no WAL touched them): not connected to. */
  skipped: string[];
}

/** Which databases need no visit: see ./watermarks. Right before phase two (roles exist by then). */
async function checkInside(
  conns: Connections,
  desired: DesiredSql,
  previous: ManagedSql,
): Promise<WatermarkCheck> {
  return checkWatermarks(await conns.get(), desired, insideDatabases(desired), previous.watermarks);
}

interface ClusterPlans {
  roles: RolePlan;
  databases: DatabasePlan;
  failures: SqlFailure[];
  notes: string[];
}

async function planCluster(
  conns: Connections,
  desired: DesiredSql,
  previous: ManagedSql,
): Promise<ClusterPlans> {
  const client = await conns.get();
  const roles = await observeRoles(
    client,
    desired.roles.map((r) => r.name),
  );
  const withHashes = new Map<string, ObservedRole>(
    [...roles].map(([name, role]) => [name, { ...role, passwordHash: previous.roles[name]?.passwordHash }]),
  );
  const databases = await observeDatabases(
    client,
    desired.databases.map((d) => d.name),
  );
  const dbPlan = planDatabases(desired.databases, databases);
  return {
    roles: planRoles(desired.roles, withHashes),
    databases: dbPlan,
    failures: dbPlan.conflicts.map((c) => ({
      action: `alter database ${JSON.stringify(c.database)}`,
      keys: [`database:${c.database}`],
      meaning: 'cannot change after creation',
      message: `${c.field} is ${JSON.stringify(c.have)}, the spec says ${JSON.stringify(c.want)}`,
      hint: `${c.field} is set when a database is created: create a new database and move the data, or declare the current value`,
    })),
    notes: [
      ...dbPlan.retain.map(
        (name) =>
          `database ${JSON.stringify(name)} left the spec: retained with its data (reclaimPolicy retain); pgcluster no longer manages it`,
      ),
      ...keptRoles(desired, previous).map(
        (name) =>
          `role ${JSON.stringify(name)} left roles[] but the spec still names it (owner, grantee or membership): kept; pgcluster no longer manages it`,
      ),
    ],
  };
}

/**
 * Databases marked one after the other during an apply hold marks spread over its WAL; checked
 * again at its end, the quiet ones move up to one position, so the next plan reads no WAL of
 * this apply.
 */
async function settleWatermarks(
  conns: Connections,
  desired: DesiredSql,
  marks: Watermarks | undefined,
): Promise<Watermarks | undefined> {
  if (!marks || Object.keys(marks.databases).length === 0) return marks;
  const check = await checkWatermarks(await conns.get(), desired, insideDatabases(desired), marks);
  if (!check.position || check.reason) return marks;
  return advanceQuiet(marks, check.position, check.quiet);
}

/**
 * Observes and plans everything without changing anything, steps in the order an apply runs them.
 * Inside databases the apply observes again after roles and databases changed, so there (new
 * databases, new owners) what it runs can differ from this dry run.
 */
export async function planSql(
  config: PgConfig,
  desiredSpec: DesiredSql,
  previous: ManagedSql = emptyManaged(),
  concurrency = DEFAULT_CONCURRENCY,
): Promise<SqlPlan> {
  return withConnections(config, async (conns) => {
    const desired = withDepartures(desiredSpec, previous);
    const cluster = await planCluster(conns, desired, previous);
    const check = await checkInside(conns, desired, previous);
    const inside = await planInside(conns, desired, concurrency, check.quiet);
    return {
      steps: [
        ...roleSteps(cluster.roles),
        ...databaseSteps(cluster.databases),
        ...inside.steps,
        ...databaseDropSteps(cluster.databases),
        ...roleDropSteps(cluster.roles),
      ],
      failures: [...cluster.failures, ...inside.failures],
      notes: cluster.notes,
      skipped: [...check.quiet].sort(),
    };
  });
}

export async function reconcileSql(
  config: PgConfig,
  desiredSpec: DesiredSql,
  previous: ManagedSql = emptyManaged(),
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const desired = withDepartures(desiredSpec, previous);
  const passwords = new Map(
    desired.roles.flatMap((r) => (r.password !== undefined ? [[r.name, r.password]] : [])),
  );
  const run: RunOptions = { passwords, batchSize: options.batchSize, onStep: options.onStep };
  return withConnections(config, async (conns) => {
    const cluster = await planCluster(conns, desired, previous);
    const first = mergeResults(
      await applyRoles(conns, cluster.roles, run),
      await applyDatabases(conns, cluster.databases, run),
    );
    const check = await checkInside(conns, desired, previous);
    const inside = await applyInside(
      conns,
      desired,
      run,
      options.concurrency ?? DEFAULT_CONCURRENCY,
      check.quiet,
    );
    const last = mergeResults(
      await applyDatabaseDrops(conns, cluster.databases, run),
      await applyRoleDrops(conns, cluster.roles, run),
    );
    const all: RunResult = mergeResults(first, inside, last);
    const failures = [...cluster.failures, ...all.failures];
    const setRoles = new Set(
      all.executed.filter((s) => s.kind === 'set-password').map((s) => s.password?.role),
    );
    const managed = nextManaged(desired, previous, {
      failedKeys: new Set(failures.flatMap((f) => f.keys)),
      passwordsSet: new Map(
        [...passwords]
          .filter(([role]) => setRoles.has(role))
          .map(([role, pw]) => [role, passwordFingerprint(pw)]),
      ),
      passwordsPlanned: new Set(cluster.roles.password.map((a) => a.role)),
    });
    const left = nextWatermarks(check.position, check.digests, check.quiet, inside.marks);
    // Quiet databases are already at one position; only marks this apply took are spread out.
    const watermarks = inside.marks.size > 0 ? await settleWatermarks(conns, desired, left) : left;
    return {
      executed: all.executed,
      failures,
      notes: cluster.notes,
      managed: watermarks ? { ...managed, watermarks } : managed,
      skipped: [...check.quiet].sort(),
    };
  });
}
