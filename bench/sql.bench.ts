/**
 * roles[], databases[] and grants[] at scale against a real PostgreSQL 15: 500 roles (100 groups,
 * 400 login roles with a password and a membership), 100 databases (each with a schema holding a
 * table and a sequence, from a template), 2,000 grants (per login role: CONNECT, schema USAGE,
 * tables, sequences, default privileges). Side by side, in the same run, alternating which goes
 * first each round (the figures of a shared machine drift):
 *   pgcluster: one query per catalog, 8 databases observed at once, 100 statements per round trip;
 *   naive:     one query per object, databases one after the other, one round trip per statement.
 * Measures the first apply, the no-op re-plan (observe + plan; target <= 200 ms) and where it goes,
 * the same re-plan with every database observed (watermarks dropped) and after a REVOKE by hand in
 * one database (which it must find), the no-op apply, and statement counts. pgcluster keeps
 * watermarks between applies (provider/sql/watermarks); the naive way does not. Run: `node --import tsx bench/sql.bench.ts`
 * (BENCH_ROUNDS, default 2; BENCH_RUNS re-plans per round, default 5). Figures: bench/results/sql-latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Client } from 'pg';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseSpec } from '../provider/spec';
import { desiredFromSpec, type DesiredSql } from '../provider/sql/desired';
import { formatFailure } from '../provider/sql/errors';
import { emptyManaged, type ManagedSql } from '../provider/sql/managed';
import { DEFAULT_CONCURRENCY, planSql, reconcileSql, type ReconcileOptions } from '../provider/sql/reconcile';
import { resetServer, startPostgres, withDatabase, type TestServer } from '../test/helpers/postgres';
import { breakdown, type Breakdown } from './lib/sql-breakdown';
import { naivePlan } from './lib/sql-naive';
import { renderTable, summarize, type Summary } from './lib/stats';

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const RESULTS = join(__dirname, 'results', 'sql-latest.json');
const TEMPLATE = 'bench_template';
const CONCURRENCY = Math.max(1, Number(process.env.BENCH_CONCURRENCY ?? DEFAULT_CONCURRENCY));
const pad = (n: number) => String(n).padStart(3, '0');
/** Where the drift round revokes by hand (user_200 is granted USAGE on db_050's schema app). */
const DRIFT_DB = 'db_050';
const DRIFT_ROLE = 'user_200';
const withoutWatermarks = ({ watermarks: _w, ...rest }: ManagedSql): ManagedSql => rest;

function benchSpec(): DesiredSql {
  const groups = Array.from({ length: 100 }, (_, i) => `group_${pad(i)}`);
  const users = Array.from({ length: 400 }, (_, i) => `user_${pad(i)}`);
  const roles = [
    ...groups.map((name) => ({ name })),
    ...users.map((name, i) => ({
      name,
      login: true,
      connectionLimit: 10,
      password: { fromEnv: 'BENCH' },
      inRoles: [groups[i % 100]],
    })),
  ];
  const databases = groups.map((owner, i) => ({
    name: `db_${pad(i)}`,
    owner,
    template: TEMPLATE,
    schemas: [{ name: 'app' }],
  }));
  const grants = users.flatMap((role, i) => {
    const database = `db_${pad(Math.floor(i / 4))}`;
    const where = { role, database, schema: 'app' };
    return [
      { role, database, privileges: ['CONNECT'] },
      { ...where, on: 'schema', privileges: ['USAGE'] },
      { ...where, on: 'tables', privileges: ['SELECT', 'INSERT', 'UPDATE'] },
      { ...where, on: 'sequences', privileges: ['USAGE', 'SELECT'] },
      { ...where, on: 'tables', privileges: ['SELECT'], createdBy: groups[Math.floor(i / 4)] },
    ];
  });
  const passwords = new Map(users.map((u) => [u, `pw-${u}-${Math.random().toString(36).slice(2)}`]));
  return desiredFromSpec(parseSpec({ name: 'bench', roles, databases, grants }), passwords);
}

async function createTemplate(server: TestServer): Promise<void> {
  await withDatabase(server, 'postgres', (c) => c.query(`CREATE DATABASE ${TEMPLATE}`));
  await withDatabase(server, TEMPLATE, (c) =>
    c.query('CREATE SCHEMA app; CREATE TABLE app.items (id bigserial primary key, name text)'),
  );
}

/** Round trips (queries sent) and connections opened, counted on node-postgres's Client (bench only). */
const counted = { queries: 0, connections: 0 };
const { query, connect } = Client.prototype;
Client.prototype.query = function (this: Client, ...args: unknown[]) {
  counted.queries++;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;
Client.prototype.connect = function (this: Client, ...args: unknown[]) {
  counted.connections++;
  return (connect as (...a: unknown[]) => unknown).apply(this, args);
} as typeof connect;

async function timed<T>(
  fn: () => Promise<T>,
): Promise<{ ms: number; value: T; queries: number; connections: number }> {
  const before = { ...counted };
  const started = process.hrtime.bigint();
  const value = await fn();
  return {
    ms: Number(process.hrtime.bigint() - started) / 1e6,
    value,
    queries: counted.queries - before.queries,
    connections: counted.connections - before.connections,
  };
}

interface Replan {
  steps: number;
  /** Databases not connected to (unchanged since their watermark). */
  skipped: number;
}

interface Side {
  label: string;
  apply: ReconcileOptions;
  /** Whether the side keeps watermarks between applies (the naive way has none). */
  watermarks: boolean;
  replan: (managed: ManagedSql) => Promise<Replan>;
  replanRuns: number;
  firstApplyMs: number[];
  statements: number[];
  /** Round trips and connections of the first apply and of one re-plan. */
  applyTrips: { queries: number; connections: number };
  replanTrips: { queries: number; connections: number };
  replanMs: number[];
  replanSkipped: number[];
  /** Re-plan of the same state with its watermarks dropped: every database observed. */
  fullReplanMs: number[];
  /** Re-plan after a REVOKE by hand in one database: time, steps found, databases skipped. */
  driftReplanMs: number[];
  driftFound: Replan[];
  noopApplyMs: number[];
  noopStatements: number[];
  breakdown: Breakdown[];
}

async function round(
  server: TestServer,
  desired: DesiredSql,
  side: Side,
  withBreakdown: boolean,
): Promise<void> {
  await resetServer(server);
  await createTemplate(server);
  const first = await timed(() => reconcileSql(server.config, desired, emptyManaged(), side.apply));
  if (first.value.failures.length > 0)
    throw new Error(first.value.failures.slice(0, 5).map(formatFailure).join('\n'));
  side.firstApplyMs.push(first.ms);
  side.statements.push(first.value.executed.length);
  side.applyTrips = { queries: first.queries, connections: first.connections };
  const managed = side.watermarks ? first.value.managed : withoutWatermarks(first.value.managed);
  const planned = await side.replan(managed);
  if (planned.steps !== 0)
    throw new Error(`${side.label}: the re-plan after the first apply planned ${planned.steps} actions`);
  for (let i = 0; i < side.replanRuns; i++) {
    const replan = await timed(() => side.replan(managed));
    side.replanMs.push(replan.ms);
    side.replanSkipped.push(replan.value.skipped);
    side.replanTrips = { queries: replan.queries, connections: replan.connections };
  }
  if (side.watermarks) {
    side.fullReplanMs.push((await timed(() => side.replan(withoutWatermarks(managed)))).ms);
    await withDatabase(server, DRIFT_DB, (c) => c.query(`REVOKE USAGE ON SCHEMA app FROM ${DRIFT_ROLE}`));
    const drift = await timed(() => side.replan(managed));
    if (drift.value.steps === 0)
      throw new Error(`${side.label}: a REVOKE by hand in ${DRIFT_DB} was not seen`);
    side.driftReplanMs.push(drift.ms);
    side.driftFound.push(drift.value);
    await withDatabase(server, DRIFT_DB, (c) => c.query(`GRANT USAGE ON SCHEMA app TO ${DRIFT_ROLE}`));
  }
  const noop = await timed(() => reconcileSql(server.config, desired, managed, side.apply));
  side.noopApplyMs.push(noop.ms);
  side.noopStatements.push(noop.value.executed.length);
  if (withBreakdown) side.breakdown.push(await breakdown(server.config, desired, managed, CONCURRENCY));
}

const sec = (s: Summary | undefined) =>
  s ? `${(s.median / 1000).toFixed(1)} s (${(s.min / 1000).toFixed(1)}-${(s.max / 1000).toFixed(1)})` : '-';
const ms = (s: Summary | undefined) =>
  s ? `${s.median.toFixed(0)} ms (${s.min.toFixed(0)}-${s.max.toFixed(0)})` : '-';

const trips = (t: { queries: number; connections: number }) => `${t.queries} / ${t.connections}`;

async function main(): Promise<void> {
  const server = await startPostgres('bench-sql', { logStatements: false, maxConnections: 300 });
  try {
    const desired = benchSpec();
    const side = (
      label: string,
      apply: ReconcileOptions,
      watermarks: boolean,
      replan: Side['replan'],
      replanRuns: number,
    ): Side => ({
      label,
      apply,
      watermarks,
      replan,
      replanRuns,
      firstApplyMs: [],
      statements: [],
      applyTrips: { queries: 0, connections: 0 },
      replanTrips: { queries: 0, connections: 0 },
      replanMs: [],
      replanSkipped: [],
      fullReplanMs: [],
      driftReplanMs: [],
      driftFound: [],
      noopApplyMs: [],
      noopStatements: [],
      breakdown: [],
    });
    const ours = side(
      'pgcluster',
      { batchSize: 100, concurrency: CONCURRENCY },
      true,
      async (managed) => {
        const plan = await planSql(server.config, desired, managed, CONCURRENCY);
        return { steps: plan.steps.length, skipped: plan.skipped.length };
      },
      RUNS,
    );
    const naive = side(
      'naive baseline',
      { batchSize: 1, concurrency: 1 },
      false,
      async (managed) => ({ steps: await naivePlan(server.config, desired, managed), skipped: 0 }),
      Math.min(2, RUNS),
    );
    const load = loadavg()[0] as number;
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of r % 2 === 0 ? [ours, naive] : [naive, ours])
        await round(server, desired, s, s === ours);
    }
    const b = (k: keyof Breakdown) => ms(summarize(ours.breakdown.map((x) => x[k])));
    console.log(
      `\n500 roles, 100 databases, ${desired.grants.length} grants; PostgreSQL 15, fsync off, SCRAM over TCP; ` +
        `${cpus().length} cores, load ${load.toFixed(1)} at start; ${ROUNDS} rounds; median (min-max)\n`,
    );
    console.log(
      renderTable(
        ['', ours.label, naive.label],
        [
          ['first apply', sec(summarize(ours.firstApplyMs)), sec(summarize(naive.firstApplyMs))],
          ['statements (first apply)', String(ours.statements[0]), String(naive.statements[0])],
          ['  round trips / connections', trips(ours.applyTrips), trips(naive.applyTrips)],
          ['no-op re-plan (observe + plan)', ms(summarize(ours.replanMs)), ms(summarize(naive.replanMs))],
          ['  round trips / connections', trips(ours.replanTrips), trips(naive.replanTrips)],
          ['  databases skipped (unchanged)', String(Math.min(...ours.replanSkipped)), '0'],
          ['no-op re-plan, watermarks dropped', ms(summarize(ours.fullReplanMs)), ''],
          [
            `re-plan after a REVOKE in ${DRIFT_DB}`,
            `${ms(summarize(ours.driftReplanMs))}: ${ours.driftFound[0]?.steps} step, ${ours.driftFound[0]?.skipped} skipped`,
            '',
          ],
          ['  100 connections alone', b('connectOnlyMs'), ''],
          ['  shared catalogs (1 connection)', b('sharedCatalogsMs'), ''],
          ['  inside 100 databases (+connect)', b('insideDatabasesMs'), ''],
          ['  pure planning (shared part)', b('planningMs'), ''],
          ['no-op apply', ms(summarize(ours.noopApplyMs)), ms(summarize(naive.noopApplyMs))],
          [
            'statements (no-op apply)',
            String(Math.max(...ours.noopStatements)),
            String(Math.max(...naive.noopStatements)),
          ],
        ],
      ),
    );
    const median = summarize(ours.replanMs)?.median ?? Infinity;
    console.log(
      `\nno-op re-plan target <= 200 ms: ${median <= 200 ? 'met' : 'MISSED'} (${median.toFixed(0)} ms)`,
    );
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    const strip = ({ replan: _r, ...rest }: Side) => rest;
    writeFileSync(
      RESULTS,
      `${JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, load, ours: strip(ours), naive: strip(naive) }, null, 2)}\n`,
    );
  } finally {
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
