/**
 * A throw-away bench cluster driven through the real CLI: created in a fresh state dir (timed),
 * healed with `up -f`, always destroyed; every PID it ever reported is SIGKILLed if destroy left it.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliOk, tempStateDir } from '../../test/helpers/cli';
import { processAlive, statusOf, uriOf, waitFor } from '../../test/helpers/pg';
import { writeSpec } from '../../test/helpers/spec-file';
import type { ClusterStatus } from '../../provider/actions/status';
import { onCleanup } from './cleanup';
import { DEFAULT_SYNCHRONOUS_METHOD } from '../../provider/spec/cluster';
import { isServing } from '../../provider/patroni/roles';

export interface HaTiming {
  ttl: number;
  loopWait: number;
  retryTimeout: number;
}

export interface ClusterConfig {
  /** Short id used in file names and JSON. */
  key: string;
  label: string;
  name: string;
  basePort: number;
  /** Omitted: pgcluster's defaults. */
  ha?: HaTiming;
  /** PostgreSQL parameters for experiments (the benches' configurations set none). */
  parameters?: Record<string, string>;
  /** platform.local.peerWatch; omitted: pgcluster's default (on). Plain Patroni has no such thing. */
  peerWatch?: boolean;
  /** synchronous.method; omitted: pgcluster's default. Plain Patroni's synchronous mode is `first`. */
  method?: 'first' | 'any';
  /** platform.local.keeper; omitted: pgcluster's default (on). Plain Patroni has no keeper. */
  keeper?: boolean;
  /** pooler.poolMode; omitted: the default (session). */
  poolMode?: 'session' | 'transaction';
}

export function benchSpec(cfg: ClusterConfig): Record<string, unknown> {
  return {
    name: cfg.name,
    instances: 3,
    platform: {
      local: {
        basePort: cfg.basePort,
        ...(cfg.peerWatch === undefined ? {} : { peerWatch: cfg.peerWatch }),
        ...(cfg.keeper === undefined ? {} : { keeper: cfg.keeper }),
      },
    },
    synchronous: { number: 1, dataDurability: 'required', ...(cfg.method ? { method: cfg.method } : {}) },
    ...(cfg.ha ? { ha: cfg.ha } : {}),
    ...(cfg.parameters ? { parameters: cfg.parameters } : {}),
    ...(cfg.poolMode ? { pooler: { poolMode: cfg.poolMode } } : {}),
  };
}

export interface Created {
  cluster: BenchCluster;
  /** Wall-clock time of `pgcluster up`, spawn to exit. */
  upMs: number;
  /** The "ready in X s" the CLI printed. */
  reportedSeconds?: number;
}

export class BenchCluster {
  private readonly seenPids = new Set<number>();
  private forget: () => void = () => undefined;

  private constructor(
    readonly cfg: ClusterConfig,
    readonly stateDir: string,
    readonly specFile: string,
    private readonly removeDir: () => void,
  ) {}

  /** `pgcluster up` in a fresh state dir; the cluster is registered for cleanup before it starts. */
  static async create(cfg: ClusterConfig): Promise<Created> {
    const state = tempStateDir(`bench-${cfg.key}`);
    const cluster = new BenchCluster(cfg, state.dir, writeSpec(state.dir, benchSpec(cfg)), state.cleanup);
    cluster.forget = onCleanup(`destroy ${cfg.name} in ${state.dir}`, () => cluster.destroy());
    const started = Date.now();
    const out = await cli(state.dir, ['up', '-f', cluster.specFile]);
    const upMs = Date.now() - started;
    if (out.code !== 0) {
      await cluster.destroy();
      throw new Error(`pgcluster up (${cfg.label}) exited ${out.code}:\n${out.stderr}${out.stdout}`);
    }
    const reported = /ready in ([\d.]+) s/.exec(out.stderr);
    await cluster.status(); // remember its PIDs
    return { cluster, upMs, reportedSeconds: reported ? Number(reported[1]) : undefined };
  }

  get name(): string {
    return this.cfg.name;
  }

  private get syncStandbys(): number {
    return (this.cfg.method ?? DEFAULT_SYNCHRONOUS_METHOD) === 'any' ? 2 : 1;
  }

  /** Writes the spec file again from `cfg` (after a change to it; `heal` then applies it). */
  rewriteSpec(): void {
    writeSpec(this.stateDir, benchSpec(this.cfg));
  }

  async status(): Promise<ClusterStatus> {
    const s = await statusOf(this.stateDir, this.name);
    for (const m of s.members) for (const pid of [m.pid, m.patroniPid]) if (pid) this.seenPids.add(pid);
    for (const svc of Object.values(s.services)) if (svc?.pid) this.seenPids.add(svc.pid);
    return s;
  }

  uri(...flags: string[]): Promise<string> {
    return uriOf(this.stateDir, this.name, ...flags);
  }

  memberDir(member: string): string {
    return join(this.stateDir, this.name, 'members', member);
  }

  supervisorPid(member: string): number | undefined {
    try {
      const pid = Number.parseInt(readFileSync(join(this.memberDir(member), 'supervisor.pid'), 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0) this.seenPids.add(pid);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Steady: a primary, every member running on the primary's timeline, and Patroni has named the
   * synchronous standbys (so a failover is allowed: only they may be promoted): with method `first`
   * one, with `any` (quorum) both replicas.
   */
  async waitSteady(timeoutMs = 180_000): Promise<ClusterStatus> {
    return waitFor(
      `${this.name} to be steady (1 primary, 2 running replicas, ${this.syncStandbys} sync standby(s))`,
      async () => {
        const s = await this.status();
        const primary = s.members.find((m) => m.role === 'primary');
        const ok =
          primary !== undefined &&
          s.members.every((m) => isServing(m.state) && m.timeline === primary.timeline) &&
          s.members.filter((m) => m.role === 'replica').length === 2 &&
          s.members.filter((m) => m.sync).length === this.syncStandbys;
        return ok ? s : undefined;
      },
      timeoutMs,
    );
  }

  /** `pgcluster up -f` brings killed members back; then waits until steady. Returns the time taken. */
  async heal(): Promise<number> {
    const started = Date.now();
    await cliOk(this.stateDir, ['up', '-f', this.specFile]);
    await this.waitSteady();
    return Date.now() - started;
  }

  /** Copies each member's patroni.log (and PostgreSQL logs) to `dir`/<cluster>, replacing an older copy. */
  keepLogs(dir: string): void {
    const members = join(this.stateDir, this.name, 'members');
    if (!existsSync(members)) return;
    const to = join(dir, this.name);
    rmSync(to, { recursive: true, force: true });
    for (const member of readdirSync(members)) {
      const from = this.memberDir(member);
      mkdirSync(join(to, member), { recursive: true });
      if (existsSync(join(from, 'patroni.log')))
        cpSync(join(from, 'patroni.log'), join(to, member, 'patroni.log'));
      if (existsSync(join(from, 'log')))
        cpSync(join(from, 'log'), join(to, member, 'log'), { recursive: true });
    }
  }

  /** `pgcluster destroy`, then SIGKILL by PID whatever it reported and is still alive, then the temp dir. */
  async destroy(keepLogsIn?: string): Promise<void> {
    this.forget();
    if (keepLogsIn) {
      try {
        this.keepLogs(keepLogsIn);
      } catch (e) {
        console.error(`could not keep the logs of ${this.name}: ${(e as Error).message}`);
      }
    }
    try {
      await this.status();
    } catch {
      // a broken cluster: the PIDs seen so far will do
    }
    const out = await cli(this.stateDir, ['destroy', this.name]);
    if (out.code !== 0)
      console.error(`pgcluster destroy ${this.name} exited ${out.code}: ${out.stderr.trim()}`);
    const left = [...this.seenPids].filter((pid) => processAlive(pid) && this.isOurs(pid));
    for (const pid of left) {
      console.error(`destroy left PID ${pid} of ${this.name} running; killing it`);
      process.kill(pid, 'SIGKILL');
    }
    this.removeDir();
  }

  /** A PID may have been reused since we saw it: only kill processes that still point into our state dir. */
  private isOurs(pid: number): boolean {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmd.includes(this.stateDir) || cmd.includes(`postgres: ${this.name}:`);
    } catch {
      return false;
    }
  }
}
