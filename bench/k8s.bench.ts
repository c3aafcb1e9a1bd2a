/**
 * `npm run bench:k8s`: examples/kubernetes (3 members, synchronous, local-path volumes, a writer
 * through the -rw ClusterIP) on the real single-node Kubernetes, through the real engine, with our
 * Kubernetes HA defaults and with Patroni's (ttl 30, loop_wait 10, retry_timeout 10, no peer
 * watch), beside the CloudNativePG 1.30.0 anchors measured on this same kind of node. For each:
 * `pulumi up` -> ready, the user-visible write outage of each fault (median of BENCH_RUNS, default
 * 3) with the acknowledged writes lost, and the failovers seen under pgbench load without any fault.
 * BENCH_FAULTS=container,... runs only the faults whose label contains one of those words.
 */
import { spawn } from 'node:child_process';
import { query, waitFor } from '../test/helpers/pg';
import { SequentialWriter } from '../test/helpers/writer';
import { kubernetesCluster, type Cluster } from '../test/kubernetes/support/cluster';
import { kubernetesStack, type KubernetesStack } from '../test/kubernetes/support/stack';
import {
  appUser,
  labelledPrimary,
  patroniCluster,
  serviceUri,
  superuser,
} from '../test/kubernetes/support/reach';
import {
  containerKill,
  forceDelete,
  gracefulDelete,
  postmasterKill,
  switchoverFrom,
  type Fault,
} from '../test/kubernetes/support/faults';
import { renderTable, summarize } from './lib/stats';
import { runBench } from './lib/cleanup';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 30);
const NAME = 'orders';
const PODS = ['orders-1', 'orders-2', 'orders-3'];

const FAULTS: Array<{ label: string; fault: Fault; anchor: number }> = [
  { label: 'graceful pod delete', fault: gracefulDelete, anchor: 5.8 },
  { label: 'force pod delete', fault: forceDelete, anchor: 7.4 },
  { label: 'postmaster kill -9 inside the pod', fault: postmasterKill, anchor: 9.8 },
  { label: 'container killed from the host', fault: containerKill, anchor: 25.6 },
  { label: 'planned switchover', fault: switchoverFrom, anchor: 9.0 },
];
const CNPG_READY_S = 62;

interface Config {
  label: string;
  namespace: string;
  ha?: { ttl: number; loopWait: number; retryTimeout: number };
  /** platform.kubernetes.peerWatch (plain Patroni has none). */
  peerWatch?: boolean;
}
const CONFIGS: Config[] = [
  { label: 'pgcluster (our defaults: ttl 20, loop_wait 1, retry_timeout 3)', namespace: 'pgc-bench-ours' },
  {
    label: 'pgcluster with Patroni defaults (30/10/10)',
    namespace: 'pgc-bench-patroni',
    ha: { ttl: 30, loopWait: 10, retryTimeout: 10 },
    peerWatch: false,
  },
];
/** BENCH_FAULTS=container,switchover: only the faults whose label contains one of these. */
const ONLY = (process.env.BENCH_FAULTS ?? '').split(',').filter((f) => f.length > 0);
const SELECTED = FAULTS.filter(({ label }) => ONLY.length === 0 || ONLY.some((o) => label.includes(o)));

interface Result {
  readyS: number;
  outages: Map<string, number[]>;
  lost: number;
  spurious: number;
  pgbenchTps: number;
}

async function healthy(cluster: Cluster, ns: string): Promise<string> {
  return waitFor(
    'the cluster to be healthy',
    async () => {
      const c = await patroniCluster(cluster, ns, PODS).catch(() => undefined);
      const leader = c?.members.find((m) => m.role === 'leader');
      const streaming = c?.members.filter((m) => m.state === 'streaming').length ?? 0;
      const labelled = await labelledPrimary(cluster, ns, NAME);
      return leader && streaming === 2 && labelled.join() === leader.name ? leader.name : undefined;
    },
    180_000,
  );
}

async function measureFault(cluster: Cluster, ns: string, rw: string, table: string, fault: Fault) {
  await query(rw, `create table if not exists ${table} (id int primary key)`);
  const primary = await healthy(cluster, ns);
  const writer = new SequentialWriter(rw, table, 10);
  writer.start();
  await writer.waitForAcks(20);
  const failures = writer.report.failures;
  const gapBefore = writer.report.longestGapMs;
  await fault(cluster, ns, primary);
  await waitFor('a write to fail', async () => writer.report.failures > failures || undefined, 120_000);
  await writer.waitForAcks(20, 180_000);
  const report = await writer.stop();
  const rows = new Set((await query<{ id: number }>(rw, `select id from ${table}`)).map((r) => Number(r.id)));
  await query(rw, `drop table ${table}`);
  await healthy(cluster, ns);
  return {
    outageS: Math.max(report.longestGapMs, gapBefore) / 1000,
    lost: report.acknowledged.filter((id) => !rows.has(id)).length,
  };
}

/** pgbench through -rw for LOAD_SECONDS, counting the leader changes (failovers no fault caused). */
async function underLoad(cluster: Cluster, ns: string): Promise<{ spurious: number; tps: number }> {
  const app = await appUser(cluster, ns, NAME);
  const uri = await serviceUri(cluster, ns, `${NAME}-rw`, app, 'app');
  const pgbench = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn('pgbench', [...args, uri], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.once('error', reject);
      child.once('close', () => resolve(out));
    });
  await pgbench(['-i', '-q', '-s', '5']);
  const leaders = new Set<string>([await healthy(cluster, ns)]);
  let changes = 0;
  let last = [...leaders][0] as string;
  let done = false;
  const watch = (async () => {
    while (!done) {
      const now = (await labelledPrimary(cluster, ns, NAME).catch(() => []))[0];
      if (now && now !== last) {
        changes++;
        last = now;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  const out = await pgbench(['-c', '8', '-j', '2', '-T', String(LOAD_SECONDS), '-n']);
  done = true;
  await watch;
  const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? NaN);
  return { spurious: changes, tps };
}

async function benchConfig(cluster: Cluster, cfg: Config): Promise<Result> {
  const config: Record<string, string> = { namespace: cfg.namespace };
  const stack: KubernetesStack = await kubernetesStack(cluster, cfg.namespace, config);
  try {
    if (cfg.ha)
      for (const [k, v] of Object.entries(cfg.ha))
        await stack.project.pulumiOk(['config', 'set', '--path', `ha.${k}`, String(v)]);
    if (cfg.peerWatch !== undefined)
      await stack.project.pulumiOk(['config', 'set', 'peerWatch', String(cfg.peerWatch)]);
    const started = Date.now();
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    const readyS = (Date.now() - started) / 1000;
    const rw = await serviceUri(
      cluster,
      cfg.namespace,
      `${NAME}-rw`,
      await superuser(cluster, cfg.namespace, NAME),
    );
    const outages = new Map<string, number[]>();
    let lost = 0;
    for (const { label, fault } of SELECTED)
      for (let i = 0; i < RUNS; i++) {
        const r = await measureFault(cluster, cfg.namespace, rw, `bench_${i}`, fault);
        outages.set(label, [...(outages.get(label) ?? []), r.outageS]);
        lost += r.lost;
        console.log(`  ${cfg.label}: ${label} #${i + 1}: ${r.outageS.toFixed(1)} s, ${r.lost} lost`);
      }
    const load = await underLoad(cluster, cfg.namespace);
    return { readyS, outages, lost, spurious: load.spurious, pgbenchTps: load.tps };
  } finally {
    await stack.project.pulumi(['destroy', '--yes']);
    stack.remove();
  }
}

async function main(): Promise<number> {
  const cluster = await kubernetesCluster();
  const results: Result[] = [];
  for (const cfg of CONFIGS) results.push(await benchConfig(cluster, cfg));
  const median = (r: Result, label: string) => summarize(r.outages.get(label) ?? [])?.median;
  const cell = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(1)} s`);
  const rows = [
    [
      'pulumi up -> 3 members ready',
      ...results.map((r) => cell(r.readyS)),
      `${CNPG_READY_S} s`,
      `${CNPG_READY_S / 2} s`,
    ],
    ...SELECTED.map(({ label, anchor }) => [
      `${label} (median write outage)`,
      ...results.map((r) => cell(median(r, label))),
      `${anchor} s`,
      `${(anchor / 2).toFixed(1)} s`,
    ]),
    ['acknowledged writes lost', ...results.map((r) => String(r.lost)), '0', '0'],
    [
      `failovers under pgbench -c 8 (${LOAD_SECONDS} s), no fault`,
      ...results.map((r) => String(r.spurious)),
      '-',
      '0',
    ],
    [
      'pgbench tps through -rw',
      ...results.map((r) => (Number.isFinite(r.pgbenchTps) ? r.pgbenchTps.toFixed(0) : '-')),
      '-',
      '-',
    ],
  ];
  console.log(`\nsingle-node Kubernetes, 3 members, synchronous, local-path volumes, ${RUNS} runs per fault`);
  console.log(
    renderTable(['', ...CONFIGS.map((c) => c.label), 'CloudNativePG 1.30.0', 'target (half)'], rows),
  );
  const ours = results[0] as Result;
  const missed = SELECTED.filter(({ label, anchor }) => (median(ours, label) ?? Infinity) > anchor / 2).map(
    (f) => f.label,
  );
  if (ours.readyS > CNPG_READY_S / 2) missed.push('pulumi up -> ready');
  console.log(
    missed.length ? `\nabove the target: ${missed.join(', ')}` : '\nevery figure at most half of the anchor',
  );
  return ours.lost === 0 ? 0 : 1;
}

runBench(main);
