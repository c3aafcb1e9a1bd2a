/**
 * `npm run chaos -- --faults N [--seed S] [--base-port P]`: the chaos suite (bench/lib/chaos.ts) on a
 * fresh 3-member synchronous cluster with pgcluster's defaults. Prints the seed first (a run is
 * repeated with --seed), one line per fault, then the RTO by fault type, acknowledged writes lost
 * and dual-primary moments. Exit 1 when a write was lost, two members accepted writes at once, or a
 * fault did not heal within the bound. Raw figures: bench/results/chaos-latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchCluster } from './lib/cluster';
import { cleanupOnSignals, runBench, runCleanups } from './lib/cleanup';
import { byFault, HEAL_BOUND_MS, runChaos } from './lib/chaos';
import { renderTable } from './lib/stats';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function int(name: string, fallback: number): number {
  const raw = option(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} ${raw}: must be a whole number >= 0`);
    process.exit(2);
  }
  return n;
}

const ms = (values: number[]) =>
  values.length
    ? `${(values[0]! / 1000).toFixed(2)} / ${(values[Math.floor(values.length / 2)]! / 1000).toFixed(2)} / ${(values[values.length - 1]! / 1000).toFixed(2)}`
    : '-';

async function main(): Promise<number> {
  cleanupOnSignals();
  const faults = int('faults', 10);
  const seed = int('seed', Math.floor(Math.random() * 2 ** 31));
  const basePort = int('base-port', 29700);
  console.log(`chaos: ${faults} fault(s), seed ${seed} (repeat with --seed ${seed})`);
  const { cluster } = await BenchCluster.create({ key: 'chaos', label: 'chaos', name: 'chaos', basePort });
  let report;
  try {
    report = await runChaos(cluster, faults, seed, (m) =>
      console.error(`[${new Date().toISOString().slice(11, 19)}] ${m}`),
    );
  } finally {
    // A fault that did not heal: the members' logs are kept for the diagnosis.
    const keep = report?.faults.some((f) => f.error) ? join(__dirname, 'results', 'logs') : undefined;
    await cluster.destroy(keep);
    if (keep) console.log(`members' logs kept in ${keep}/${cluster.name}`);
    await runCleanups();
  }
  const rows = byFault(report.faults).map((r) => [
    r.fault,
    String(r.n),
    ms(r.outage),
    ms(r.heal),
    String(r.failed),
  ]);
  console.log(
    `\nRTO by fault type (min / median / max, s; heal bound ${HEAL_BOUND_MS / 1000} s), seed ${seed}\n`,
  );
  console.log(renderTable(['fault', 'n', 'write outage', 'back to 3 healthy', 'not healed'], rows));
  console.log(
    `\nacknowledged writes: ${report.acknowledged}, lost: ${report.lost.length}; ` +
      `dual-primary probe: ${report.probeAttempts} attempts, ${report.probeCommits} commits, ${report.dualPrimary.length} dual-primary moment(s)`,
  );
  for (const d of report.dualPrimary.slice(0, 5))
    console.log(
      `  ${d.a.member} and ${d.b.member} both committed around ${new Date(d.b.from).toISOString()}`,
    );
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  const file = join(__dirname, 'results', 'chaos-latest.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`raw figures: ${file}`);
  const failed =
    report.faults.some((f) => f.error) || report.lost.length > 0 || report.dualPrimary.length > 0;
  return failed ? 1 : 0;
}

runBench(main);
