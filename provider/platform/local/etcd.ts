/** The cluster's DCS: one etcd (v3 API) on 127.0.0.1, data under the cluster dir. */
import { writeFileSync } from 'node:fs';
import { ActionError } from '../../errors';
import type { LocalCluster } from './cluster-context';
import { LOCAL_HOST } from './ports';
import { isAlive, sleep, spawnDaemon, stopPid } from './process';
import { etcdPid } from './pids';
import { ensureDir } from './run-user';

export function etcdUrl(lc: LocalCluster): string {
  return `http://${LOCAL_HOST}:${lc.ports.etcdClient}`;
}

async function healthy(lc: LocalCluster): Promise<boolean> {
  try {
    const res = await fetch(`${etcdUrl(lc)}/health`, { signal: AbortSignal.timeout(1000) });
    return res.ok && ((await res.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

/** Starts etcd unless it runs, then waits until it reports healthy. Returns true when started. */
export async function ensureEtcd(lc: LocalCluster, etcdBinary: string): Promise<boolean> {
  if (etcdPid(lc) && (await healthy(lc))) return false;
  const { dir, data, log, pid } = lc.paths.etcd;
  ensureDir(lc.user, dir);
  const peer = `http://${LOCAL_HOST}:${lc.ports.etcdPeer}`;
  const member = `${lc.name}-etcd`;
  const started = spawnDaemon({
    command: etcdBinary,
    args: [
      `--name=${member}`,
      `--data-dir=${data}`,
      `--listen-client-urls=${etcdUrl(lc)}`,
      `--advertise-client-urls=${etcdUrl(lc)}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=${member}=${peer}`,
      `--initial-cluster-token=${lc.name}`,
      '--initial-cluster-state=new',
      '--auto-compaction-mode=revision',
      '--auto-compaction-retention=1000',
      '--logger=zap',
      '--log-level=warn',
    ],
    logFile: log,
    cwd: dir,
    user: lc.user,
  });
  writeFileSync(pid, `${started}\n`, { mode: 0o600 });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!isAlive(started)) throw new ActionError(`etcd exited during start; see ${log}`);
    if (await healthy(lc)) return true;
    await sleep(100);
  }
  throw new ActionError(`etcd did not become healthy within 30 s; see ${log}`);
}

export async function stopEtcd(lc: LocalCluster): Promise<void> {
  await stopPid(etcdPid(lc), 'SIGTERM', 10_000);
}
