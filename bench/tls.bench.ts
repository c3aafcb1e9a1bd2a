/**
 * The cost of TLS, in one run: `pgbench -S` select-only tps and the connection-setup rate
 * (`pgbench -S -C`: a new connection per transaction), with and without TLS, direct to the primary
 * and through the pooler. Two single-member clusters made alike except for `tls` (plain: `enabled: false`;
 * tls: tls.required, verify-full against the cluster's CA, the pooler on TLS to its clients and to
 * the server), run one after the other, each for every case and round, alternating the order.
 * Run: `npm run bench:tls` (BENCH_SECONDS=15, BENCH_CLIENTS=4, BENCH_ROUNDS=2, BENCH_SCALE=10).
 * Raw figures: bench/results/tls-latest.json. Ports 31400-31560.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { cli, tempStateDir } from '../test/helpers/cli';
import { writeSpec } from '../test/helpers/spec-file';
import { uriOf } from '../test/helpers/pg';
import { cleanupOnSignals, onCleanup, runBench, runCleanups } from './lib/cleanup';
import { runPgbench } from './lib/load';
import { renderTable } from './lib/stats';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SCALE = Number(process.env.BENCH_SCALE ?? 10);
const RESULTS = join(__dirname, 'results', 'tls-latest.json');
const say = (m: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

type Mode = 'plain' | 'tls';
type Path = 'direct' | 'pooler';
type Kind = 'select' | 'connect';

interface Sample {
  mode: Mode;
  path: Path;
  kind: Kind;
  round: number;
  tps: number;
}

async function cluster(stateDir: string, mode: Mode): Promise<{ direct: string; pooler: string }> {
  const name = `bench-${mode}`;
  const spec = writeSpec(
    stateDir,
    {
      name,
      instances: 1,
      platform: { local: { basePort: mode === 'plain' ? 31400 : 31500 } },
      // Enough pooler connections for -C (a server connection stays pooled: the pooler's point).
      pooler: { poolMode: 'session', defaultPoolSize: CLIENTS * 2 },
      tls: mode === 'tls' ? { required: true } : { enabled: false },
    },
    `${mode}.yaml`,
  );
  onCleanup(`destroy ${name}`, () => cli(stateDir, ['destroy', name]));
  say(`${name}: up`);
  const up = await cli(stateDir, ['up', '-f', spec]);
  if (up.code !== 0) throw new Error(`up ${name}: ${up.stderr}`);
  const direct = await uriOf(stateDir, name);
  const pooler = await uriOf(stateDir, name, '--pooler');
  // No TLS at all on the plain cluster: libpq's default sslmode=prefer would try it first.
  const plain = (u: string) => (mode === 'plain' ? `${u}${u.includes('?') ? '&' : '?'}sslmode=disable` : u);
  const init = await runPgbench(plain(direct), ['-i', '-q', '-s', String(SCALE)], 600_000);
  if (init.code !== 0) throw new Error(`pgbench -i on ${name}: ${init.output}`);
  return { direct: plain(direct), pooler: plain(pooler) };
}

async function measure(uri: string, kind: Kind): Promise<number> {
  const args = ['-S', '-n', '-c', String(CLIENTS), '-j', String(Math.min(CLIENTS, 2)), '-T', String(SECONDS)];
  const r = await runPgbench(uri, kind === 'connect' ? [...args, '-C'] : args, (SECONDS + 60) * 1000);
  if (r.code !== 0 || r.tps === undefined) throw new Error(`pgbench ${args.join(' ')}: ${r.output}`);
  return r.tps;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

async function main(): Promise<number> {
  cleanupOnSignals();
  const started = new Date();
  const state = tempStateDir('bench-tls');
  onCleanup('remove the state dir', () => state.cleanup());
  const uris = { plain: await cluster(state.dir, 'plain'), tls: await cluster(state.dir, 'tls') };
  const samples: Sample[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const modes: Mode[] = round % 2 ? ['plain', 'tls'] : ['tls', 'plain'];
    for (const kind of ['select', 'connect'] as const)
      for (const path of ['direct', 'pooler'] as const)
        for (const mode of modes) {
          const tps = await measure(uris[mode][path], kind);
          say(`round ${round}: ${mode} ${path} ${kind}: ${tps.toFixed(0)}/s`);
          samples.push({ mode, path, kind, round, tps });
        }
  }
  const med = (mode: Mode, path: Path, kind: Kind) =>
    median(samples.filter((s) => s.mode === mode && s.path === path && s.kind === kind).map((s) => s.tps));
  const rows = (['select', 'connect'] as const).flatMap((kind) =>
    (['direct', 'pooler'] as const).map((path) => {
      const plain = med('plain', path, kind);
      const tls = med('tls', path, kind);
      return [
        kind === 'select' ? 'select-only tps (-S)' : 'connections/s (-S -C)',
        path,
        plain.toFixed(0),
        tls.toFixed(0),
        `${(((tls - plain) / plain) * 100).toFixed(1)} %`,
      ];
    }),
  );
  console.log(
    `\nTLS bench: pgbench scale ${SCALE}, -c ${CLIENTS}, ${SECONDS} s per case, median of ${ROUNDS} round(s); ${cpus().length} cores`,
  );
  console.log(renderTable(['measure', 'path', 'plain', 'tls (verify-full)', 'tls vs plain'], rows));
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ bench: 'tls', startedAt: started, finishedAt: new Date(), cpus: cpus().length, loadavg: loadavg(), seconds: SECONDS, clients: CLIENTS, scale: SCALE, samples }, null, 2)}\n`,
  );
  console.log(`raw figures: ${RESULTS}`);
  await runCleanups();
  return 0;
}

runBench(main);
