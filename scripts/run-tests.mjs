#!/usr/bin/env node
// Runs the test suites with node's test runner and tsx: `unit` (co-located provider/**/*.test.ts and
// policy/**/*.test.ts: the CrossGuard policies on captured inputs),
// `integration` (test/integration: real etcd, Patroni, PostgreSQL, PgBouncer), `cli` (test/cli: the
// built CLI's messages, exit codes, completion and start, on a real cluster; needs `npm run build`), `pulumi` (test/pulumi:
// the provider plugin and dynamic resources over gRPC, components under mocks; needs `npm run build`;
// test/policy: the policy pack process over gRPC),
// `acceptance` (test/acceptance: examples through the real Pulumi engine; needs `npm run build` and
// `npm run tools:pulumi`), `sdk` (test/sdk: the generated Python and Go SDKs import, compile and
// declare every schema.json property; needs Go and python3-venv), `kubernetes` (test/kubernetes:
// examples/kubernetes through the real engine on a real single-node Kubernetes, which the suite
// starts with tools/kubernetes/up.sh and tears down after, unless it was already running; needs the
// engine, `npm run tools:kubernetes` and `npm run image`, and root), or `all` (every one; `npm run tools`
// builds what they need).
// Extra arguments after the suite are passed to `node --test` (e.g. --test-name-pattern).
// `all` (or any suite with PGCLUSTER_LEFTOVER_CHECK=1) fails when the run leaves files in the temp dir
// or processes behind (scripts/leftovers.mjs); PGCLUSTER_LEFTOVER_CHECK=0 skips that check.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { Buffer } from 'node:buffer';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLeftovers, snapshot } from './leftovers.mjs';
import { runQueue } from './test-queue.mjs';

function find(dir, out = []) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry === 'node_modules') continue;
    if (statSync(path).isDirectory()) find(path, out);
    else if (entry.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

const [suite = 'all', ...rest] = process.argv.slice(2);
const only = rest.filter((a) => !a.startsWith('-'));
const flags = rest.filter((a) => a.startsWith('-'));
const suites = {
  unit: ['provider', 'policy'],
  integration: ['test/integration'],
  pulumi: ['test/pulumi', 'test/policy'],
  acceptance: ['test/acceptance'],
  cli: ['test/cli'],
  sdk: ['test/sdk'],
  kubernetes: ['test/kubernetes'],
  all: ['provider', 'policy', 'test/integration', 'test/cli', 'test/pulumi', 'test/policy'],
};
/** The engine tools/pulumi builds (PULUMI_BIN_DIR overrides), when its CLI and launchers are there. */
function engineBuilt() {
  const build = join(dirname(fileURLToPath(import.meta.url)), '..', 'tools', 'pulumi', 'build.sh');
  const bin =
    process.env.PULUMI_BIN_DIR ?? execFileSync('bash', [build, '--print-bin'], { encoding: 'utf8' }).trim();
  return ['pulumi', 'pulumi-resource-pulumi-nodejs'].every((b) => existsSync(join(bin, b)));
}
/** tools/kubernetes/paths.sh: where the cluster's tools and the image are (KEY=VALUE lines). */
function kubernetesPaths() {
  const paths = join(dirname(fileURLToPath(import.meta.url)), '..', 'tools', 'kubernetes', 'paths.sh');
  return Object.fromEntries(
    execFileSync('bash', [paths], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}
/** What the kubernetes suite needs and is not built, or [] (root is needed to run a node). */
function kubernetesMissing() {
  const p = kubernetesPaths();
  const needed = [
    join(p.KUBERNETES_BIN, 'kube-apiserver'),
    join(p.PROVIDER_BIN, 'pulumi-resource-kubernetes'),
    join(p.COREDNS_BIN, 'coredns'),
    join(p.LOCAL_PATH_BIN, 'local-path-provisioner'),
    p.IMAGE_TAR_BOOKWORM,
  ];
  const missing = needed.filter((f) => !existsSync(f));
  if (process.getuid?.() !== 0) missing.push('root');
  return missing;
}
// `all` is every suite: one whose tools are not built fails the run, saying what to build, unless
// PGCLUSTER_TESTS_PARTIAL=1 (then it is left out, and said so).
if (suite === 'all') {
  const missing = [];
  if (engineBuilt()) suites.all.push('test/acceptance', 'test/sdk');
  else missing.push('acceptance and SDK tests: the Pulumi engine is not built (npm run tools)');
  const k8s = kubernetesMissing();
  if (k8s.length === 0) suites.all.push('test/kubernetes');
  else missing.push(`kubernetes tests: not built or not root: ${k8s.join(', ')} (as root: npm run tools)`);
  for (const m of missing) console.error(`left out: ${m}`);
  if (missing.length > 0 && process.env.PGCLUSTER_TESTS_PARTIAL !== '1') {
    console.error('set PGCLUSTER_TESTS_PARTIAL=1 to run the rest anyway');
    process.exit(1);
  }
}
if (!suites[suite]) {
  console.error(
    `unknown suite ${suite}: use unit, integration, cli, pulumi, acceptance, sdk, kubernetes or all`,
  );
  process.exit(2);
}
let files = suites[suite].flatMap((d) => find(d));
if (only.length > 0) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// The kubernetes tests share one node: started here (its first test would start it anyway) and torn
// down after, unless it was running before.
const needsNode = files.some((f) => f.startsWith('test/kubernetes'));
const nodeState = needsNode ? kubernetesPaths().ADMIN_KUBECONFIG : undefined;
const ownNode = nodeState !== undefined && !existsSync(nodeState);
const checkLeftoversToo =
  process.env.PGCLUSTER_LEFTOVER_CHECK === '1' ||
  (suite === 'all' && process.env.PGCLUSTER_LEFTOVER_CHECK !== '0');
const before = checkLeftoversToo ? snapshot() : undefined;
const testArgs = (list) => ['--import', 'tsx', '--test', '--test-concurrency=1', ...flags, ...list];
// `all` runs its files as jobs of a queue (scripts/test-queue.mjs) on PGCLUSTER_TEST_JOBS workers
// (default 4; 1 runs them one after the other, in one `node --test`): the unit files as one job, every
// other file as its own, the longest first by scripts/test-durations.json. Every file has its own
// loopback port range below 32768, so any of them may run beside any other. The kubernetes files
// share one node, started here once at the beginning; they start once it is up, at most
// PGCLUSTER_TEST_NODE_JOBS (default 2) at once (each has its own namespace). Timing-bound files
// (QUIET) wait until the node has started. Each job's output is printed when it ends; then the jobs'
// durations, which PGCLUSTER_TEST_DURATIONS=FILE also writes as JSON (to refresh test-durations.json).
const QUIET = ['test/integration/day2-lifecycle.test.ts', 'test/integration/day2-chaos.test.ts'];
/**
 * Files whose loopback port ranges overlap: each group is one job, its files one after the other
 * (automation 22200-22350 and local-backup 22300-22393; backup-recovery's clusters up to 22980 and
 * yaml-example 22700-22760).
 */
const SERIAL = [
  ['test/acceptance/automation.test.ts', 'test/acceptance/local-backup.test.ts'],
  ['test/integration/backup-recovery.test.ts', 'test/acceptance/yaml-example.test.ts'],
];
const workers = Number(process.env.PGCLUSTER_TEST_JOBS ?? '4');
const inQueue = suite === 'all' && workers > 1;
const here = dirname(fileURLToPath(import.meta.url));
let result;
if (inQueue) {
  const nodeUp = needsNode
    ? new Promise((resolve) => {
        const up = spawn('bash', [join('tools', 'kubernetes', 'up.sh')], {
          stdio: ['ignore', 'ignore', 'pipe'],
          env: {
            ...process.env,
            PGCLUSTER_K8S_IMAGES: process.env.PGCLUSTER_K8S_IMAGES ?? kubernetesPaths().IMAGE_TAR_BOOKWORM,
          },
        });
        const err = [];
        up.stderr.on('data', (d) => err.push(d));
        up.on('close', (code) => resolve({ code: code ?? 1, stderr: Buffer.concat(err).toString() }));
      })
    : undefined;
  const known = JSON.parse(readFileSync(join(here, 'test-durations.json'), 'utf8'));
  const unit = files.filter((f) => !f.startsWith('test/'));
  const groups = SERIAL.map((group) => group.filter((f) => files.includes(f))).filter((g) => g.length > 0);
  const grouped = groups.flat();
  // A file not measured yet weighs most (it goes first: it may be long).
  const weightOf = (name) => known[name] ?? 10_000;
  const jobs = [
    ...(unit.length > 0 ? [{ name: 'unit', files: unit, weight: weightOf('unit') }] : []),
    ...groups.map((group) => ({
      name: group.join(' + '),
      files: group,
      weight: group.reduce((sum, f) => sum + weightOf(f), 0),
    })),
    ...files
      .filter((f) => f.startsWith('test/') && !grouped.includes(f))
      .map((f) => ({ name: f, files: [f], weight: weightOf(f) })),
  ].map((job) => ({
    ...job,
    onNode: job.files.some((f) => f.startsWith('test/kubernetes/')),
    quiet: job.files.some((f) => QUIET.includes(f)),
  }));
  const done = await runQueue({
    jobs,
    workers,
    nodeSlots: Number(process.env.PGCLUSTER_TEST_NODE_JOBS ?? '2'),
    nodeUp,
    args: testArgs,
    onDone: ({ job, code, seconds, startedAt, output }) => {
      console.log(`# job ${job.name}: exit ${code}, ${seconds.toFixed(0)} s, from ${startedAt.toFixed(0)} s`);
      process.stdout.write(output);
    },
  });
  console.log('# jobs by duration (s, started at s, exit):');
  for (const d of [...done].sort((a, b) => b.seconds - a.seconds)) {
    console.log(
      `#   ${d.seconds.toFixed(0).padStart(5)} ${d.startedAt.toFixed(0).padStart(5)} ${d.code} ${d.job.name}`,
    );
  }
  const failed = done.filter((d) => d.code !== 0);
  for (const d of failed) console.log(`# failed: ${d.job.name} (exit ${d.code})`);
  if (process.env.PGCLUSTER_TEST_DURATIONS) {
    // A group's duration is shared among its files as they were known to take it.
    const measured = Object.fromEntries(
      done
        .flatMap(({ job, seconds }) => {
          if (!grouped.includes(job.files[0])) return [[job.name, Math.round(seconds)]];
          const total = job.files.reduce((sum, f) => sum + (known[f] ?? 1), 0);
          return job.files.map((f) => [f, Math.round((seconds * (known[f] ?? 1)) / total)]);
        })
        .sort(([a], [b]) => a.localeCompare(b)),
    );
    writeFileSync(process.env.PGCLUSTER_TEST_DURATIONS, `${JSON.stringify(measured, null, 2)}\n`);
  }
  result = { status: failed.length > 0 ? failed[0].code : 0 };
} else {
  result = spawnSync(process.execPath, testArgs(files), { stdio: 'inherit' });
}
if (ownNode) spawnSync('bash', [join('tools', 'kubernetes', 'down.sh')], { stdio: 'inherit' });
if (before) {
  const left = await checkLeftovers(before);
  if (left.length > 0) {
    console.error(`the tests left ${left.length} thing(s) behind:\n${left.map((l) => `  ${l}`).join('\n')}`);
    process.exit(result.status || 1);
  }
  console.log(`leftover check: no files in ${before.dir} and no processes left behind`);
}
process.exit(result.status ?? 1);
