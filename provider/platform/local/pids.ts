/**
 * Which of a local cluster's processes run, read from their PID files: light on purpose (no
 * renderers, no spec schemas), so read-only commands can ask without loading the write side.
 */
import { readFileSync } from 'node:fs';
import type { MemberRuntime } from '../types';
import { memberContext, type LocalCluster } from './cluster-context';
import { isAlive, readPid } from './process';

export function memberPids(lc: LocalCluster, name: string) {
  const p = lc.paths.member(name);
  const alive = (pid: number | undefined) => (isAlive(pid) ? pid : undefined);
  const postmaster = readPid(p.postmasterPid);
  return {
    supervisor: alive(readPid(p.supervisorPid)),
    patroni: alive(readPid(p.patroniPid)),
    postmaster: alive(postmaster) && isPostgres(postmaster as number) ? postmaster : undefined,
  };
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]?.endsWith('postgres') ?? false;
  } catch {
    return false;
  }
}

export function memberRuntime(lc: LocalCluster, slot: number): MemberRuntime {
  const ctx = memberContext(lc, slot);
  const pids = memberPids(lc, ctx.name);
  return {
    name: ctx.name,
    running: pids.supervisor !== undefined,
    postgres: { host: ctx.host, port: ctx.postgresPort },
    apiUrl: `http://${ctx.host}:${ctx.restPort}`,
    pid: pids.postmaster,
    patroniPid: pids.patroni,
    supervisorPid: pids.supervisor,
    logFile: lc.paths.member(ctx.name).patroniLog,
  };
}

export function etcdPid(lc: LocalCluster): number | undefined {
  const pid = readPid(lc.paths.etcd.pid);
  return isAlive(pid) ? pid : undefined;
}

export function poolerPid(lc: LocalCluster): number | undefined {
  const pid = readPid(lc.paths.pooler.pid);
  return isAlive(pid) ? pid : undefined;
}
