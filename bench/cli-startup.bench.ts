/**
 * How long the CLI takes to answer, wall clock, beside `node -e 0` (Node's own start): `--version`,
 * `list`, `status NAME`, `status NAME --json` and `uri NAME` against a running 3-member local
 * cluster, each run BENCH_RUNS times (default 20), the commands interleaved so that a busy moment of
 * the machine weighs on all of them alike. The target (issue 16): `status NAME` <= 300 ms.
 * `npx pgcluster` adds npm's own start on top: measured too, with fewer runs.
 * Run: `npm run bench:cli` (BENCH_OTHER_BIN=<a build's bin/pgcluster.js> measures it beside). Raw figures go to bench/results/cli-startup-latest.json. Ports
 * BENCH_BASE_PORT (default 27100) .. +60.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, cli, cliOk, tempStateDir } from '../test/helpers/cli';
import { writeSpec } from '../test/helpers/spec-file';
import { cleanupOnSignals, onCleanup, runBench, runCleanups } from './lib/cleanup';
import { renderTable, summarize, type Summary } from './lib/stats';

const NAME = 'bench-cli';
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const NPX_RUNS = Number(process.env.BENCH_NPX_RUNS ?? 5);
const BASE_PORT = Number(process.env.BENCH_BASE_PORT ?? 27100);
const TARGET_MS = 300;
/** Another build's bin/pgcluster.js to measure beside this one (e.g. the commit before a change). */
const OTHER_BIN = process.env.BENCH_OTHER_BIN;
const RESULTS = join(__dirname, 'results', 'cli-startup-latest.json');

const say = (m: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

interface Case {
  label: string;
  command: string;
  args: string[];
  runs: number;
}

/** One run's wall time in ms, from spawn to exit; fails on a non-zero exit. */
function wallMs(c: Case, env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(c.command, c.args, { env, cwd: ROOT, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${c.label} exited ${r.status}: ${r.stderr}`);
  return ms;
}

async function main(): Promise<number> {
  cleanupOnSignals();
  const state = tempStateDir('bench-cli');
  onCleanup('state dir', state.cleanup);
  onCleanup('destroy', () => cli(state.dir, ['destroy', NAME]));
  const spec = writeSpec(state.dir, {
    name: NAME,
    instances: 3,
    platform: { local: { basePort: BASE_PORT } },
    synchronous: { number: 1 },
  });
  say(`starting ${NAME} (3 members, ports ${BASE_PORT}..${BASE_PORT + 60})`);
  await cliOk(state.dir, ['up', '-f', spec]);

  const env = { ...process.env, PGCLUSTER_STATE_DIR: state.dir, NO_COLOR: '1' };
  const node = (label: string, args: string[]): Case => ({
    label,
    command: process.execPath,
    args,
    runs: RUNS,
  });
  const cases: Case[] = [
    node('node -e 0', ['-e', '0']),
    node('pgcluster --version', [BIN, '--version']),
    node('pgcluster list', [BIN, 'list']),
    node(`pgcluster status ${NAME}`, [BIN, 'status', NAME]),
    node(`pgcluster status ${NAME} --json`, [BIN, 'status', NAME, '--json']),
    node(`pgcluster uri ${NAME}`, [BIN, 'uri', NAME]),
    ...(OTHER_BIN
      ? [
          node(`${OTHER_BIN} status ${NAME}`, [OTHER_BIN, 'status', NAME]),
          node(`${OTHER_BIN} list`, [OTHER_BIN, 'list']),
        ]
      : []),
    {
      label: `npx pgcluster status ${NAME}`,
      command: 'npx',
      args: ['pgcluster', 'status', NAME],
      runs: NPX_RUNS,
    },
  ];
  say(`${RUNS} runs of each command (npx: ${NPX_RUNS}), interleaved`);
  const times = new Map<string, number[]>(cases.map((c) => [c.label, []]));
  for (const c of cases) wallMs(c, env); // warm the page cache once
  for (let i = 0; i < RUNS; i++)
    for (const c of cases) if (i < c.runs) times.get(c.label)?.push(wallMs(c, env));

  const summaries = new Map<string, Summary>(
    cases.map((c) => [c.label, summarize(times.get(c.label) ?? []) as Summary]),
  );
  const nodeMedian = (summaries.get('node -e 0') as Summary).median;
  const ms = (x: number) => x.toFixed(0);
  console.log(
    `\nCLI startup, wall clock in ms (${cpus().length} cores, load ${loadavg()[0]?.toFixed(2)}):\n`,
  );
  console.log(
    renderTable(
      ['command', 'runs', 'min', 'median', 'max', 'median - node -e 0'],
      cases.map((c) => {
        const s = summaries.get(c.label) as Summary;
        return [c.label, String(s.n), ms(s.min), ms(s.median), ms(s.max), ms(s.median - nodeMedian)];
      }),
    ),
  );
  const status = summaries.get(`pgcluster status ${NAME}`) as Summary;
  const met = status.median <= TARGET_MS;
  console.log(
    `\nstatus ${NAME}: median ${ms(status.median)} ms, target <= ${TARGET_MS} ms: ${met ? 'met' : 'NOT met'}`,
  );
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ at: new Date().toISOString(), cores: cpus().length, load: loadavg(), times: Object.fromEntries(times) }, null, 2)}\n`,
  );
  await runCleanups();
  return 0;
}

runBench(main);
