/** The cluster's DCS: one etcd (v3 API) on 127.0.0.1, data under the cluster dir. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { ActionError } from '../../errors';
import type { LocalCluster } from './cluster-context';
import { LOCAL_HOST } from './ports';
import { isAlive, sleep, spawnDaemon, stopPid } from './process';
import { etcdPid } from './pids';
import { ensureDir } from './run-user';
import { etcdTlsOn } from './tls-files';

export function etcdUrl(lc: LocalCluster): string {
  return `${etcdTlsOn(lc) ? 'https' : 'http'}://${LOCAL_HOST}:${lc.ports.etcdClient}`;
}

/** GET /health (over HTTPS verified by the cluster's CA when etcd was created with tls). */
function healthy(lc: LocalCluster): Promise<boolean> {
  const tls = etcdTlsOn(lc);
  const send = tls ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(
      `${etcdUrl(lc)}/health`,
      { agent: false, timeout: 1000, ...(tls ? { ca: readFileSync(lc.paths.tls.caCert, 'utf8') } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          try {
            resolve(res.statusCode === 200 && (JSON.parse(body) as { health?: string }).health === 'true');
          } catch {
            resolve(false);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Resolves when etcd reports healthy within 30 s; throws otherwise, or as soon as `pid` exits. */
async function awaitHealthy(lc: LocalCluster, pid: number, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new ActionError(`etcd exited ${what}; see ${lc.paths.etcd.log}`);
    if (await healthy(lc)) return;
    await sleep(100);
  }
  throw new ActionError(`etcd (PID ${pid}) did not become healthy within 30 s; see ${lc.paths.etcd.log}`);
}

/**
 * Starts etcd unless it runs, then waits until it reports healthy. Returns true when started. A
 * running etcd that is slow to answer (a loaded machine) is waited on, never started a second
 * time: the second one could not bind its ports, and its PID would replace the live one's.
 */
export async function ensureEtcd(lc: LocalCluster, etcdBinary: string): Promise<boolean> {
  const running = etcdPid(lc);
  if (running) {
    await awaitHealthy(lc, running, 'while it was waited on');
    return false;
  }
  const { dir, data, log, pid } = lc.paths.etcd;
  ensureDir(lc.user, dir);
  // A new etcd of a cluster under tls serves HTTPS with the server certificate, for the cluster's life.
  if (!existsSync(data) && lc.tls) writeFileSync(lc.paths.etcd.tlsMarker, '', { mode: 0o644 });
  const tls = etcdTlsOn(lc)
    ? [`--cert-file=${lc.paths.tls.serverCert}`, `--key-file=${lc.paths.tls.serverKey}`]
    : [];
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
      ...tls,
    ],
    logFile: log,
    cwd: dir,
    user: lc.user,
  });
  writeFileSync(pid, `${started}\n`, { mode: 0o600 });
  await awaitHealthy(lc, started, 'during start');
  return true;
}

export async function stopEtcd(lc: LocalCluster): Promise<void> {
  await stopPid(etcdPid(lc), 'SIGTERM', 10_000);
}
