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
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLeftovers, snapshot } from './leftovers.mjs';

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
// `all` runs in four lanes at once: the rest (unit, test/integration); the engine's, the CLI's and the
// Pulumi ones (test/acceptance, test/sdk, test/cli, test/pulumi, test/policy) with two long backup
// files of test/integration; and the kubernetes files in two lanes (they mostly wait on pods, on the
// node's own address; each has its own namespace) with a few files of test/integration each,
// balanced by their run times. Every file has its own
// loopback port range below 32768, and no two lanes share one. The run takes about as long as the
// longest lane; the other lanes' output is printed after the first's. PGCLUSTER_TEST_LANES=1: one
// lane, in order.
const SECOND_LANE = ['test/acceptance', 'test/sdk', 'test/cli', 'test/pulumi', 'test/policy'];
const SECOND_LANE_FILES = [
  'test/integration/backup-archive.test.ts',
  'test/integration/backup-recovery.test.ts',
  // Run after the lane's other files, once the node is up.
  'test/kubernetes/replica-cluster.test.ts',
];
/**
 * The third lane: these kubernetes files. They clean up by deleting their namespaces without waiting
 * (support/stack.ts discard), which took each tens of seconds off, so the lane takes storage-growth.
 * Timing-bound files of test/integration (day2-lifecycle, day2-chaos) stay in the first lane: run
 * while the node starts they failed on etcd read timeouts.
 */
const THIRD_LANE_FILES = [
  'backup',
  'hibernate',
  'tls',
  'monitoring',
  'fencing',
  'cli-switchover',
  'storage-growth',
].map((f) => `test/kubernetes/${f}.test.ts`);
/** Files off the node in the fourth lane (run before its kubernetes files, the other ones). */
const FOURTH_LANE_FILES = ['test/integration/day2-scaling.test.ts'];
const laneOf = (f) =>
  THIRD_LANE_FILES.includes(f)
    ? 2
    : FOURTH_LANE_FILES.includes(f)
      ? 3
      : SECOND_LANE_FILES.includes(f) || SECOND_LANE.some((d) => f.startsWith(`${d}/`))
        ? 1
        : f.startsWith('test/kubernetes')
          ? 3
          : 0;
const lanes = [0, 1, 2, 3].map((n) => files.filter((f) => laneOf(f) === n)).filter((l) => l.length > 0);
const inLanes = suite === 'all' && lanes.length > 1 && process.env.PGCLUSTER_TEST_LANES !== '1';
// Two lanes share the node: it is started once here (beside the other lanes), so that they do not
// both start it; their lanes begin once it is up.
const nodeUp =
  inLanes && needsNode
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
        up.on('close', (code) => resolve({ code, stderr: Buffer.concat(err).toString() }));
      })
    : undefined;
let result;
if (inLanes) {
  const runs = lanes.map((list, i) => {
    const out = [];
    const start = (part) => {
      const child = spawn(process.execPath, testArgs(part), {
        stdio: i === 0 ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (d) => out.push(d));
      child.stderr?.on('data', (d) => out.push(d));
      return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
    };
    // A lane's files off the node run at once; its kubernetes files once the node is up.
    const own = list.filter((f) => !f.startsWith('test/kubernetes'));
    const onNode = list.filter((f) => f.startsWith('test/kubernetes'));
    const afterNode = () =>
      nodeUp.then((up) => {
        if (up.code === 0) return start(onNode);
        out.push(Buffer.from(`tools/kubernetes/up.sh failed (exit ${up.code}):\n${up.stderr}\n`));
        return 1;
      });
    const done = (own.length > 0 ? start(own) : Promise.resolve(0)).then(async (code) => {
      const next = onNode.length > 0 ? await afterNode() : 0;
      return code !== 0 ? code : next;
    });
    return { list, out, done };
  });
  const codes = [];
  for (const [i, run] of runs.entries()) {
    codes.push(await run.done);
    if (i === 0) continue;
    const dirs = [...new Set(run.list.map((f) => f.split('/').slice(0, 2).join('/')))].join(', ');
    console.log(`# the lane of ${dirs}, run beside the one above:`);
    process.stdout.write(Buffer.concat(run.out));
  }
  result = { status: codes.find((c) => c !== 0) ?? 0 };
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
