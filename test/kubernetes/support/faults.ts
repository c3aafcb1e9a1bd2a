/**
 * Faults of a cluster on the single-node Kubernetes, for the failover tests and bench/k8s.bench.ts:
 * each takes the current primary pod and breaks it the way a user's cluster breaks.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Cluster } from './cluster';
import { PATHS } from './cluster';
import { PATRONI_IN_POD } from './reach';

const run = promisify(execFile);

export type Fault = (cluster: Cluster, namespace: string, primary: string) => Promise<void>;

/** `kubectl delete pod`: SIGTERM, Patroni shuts PostgreSQL down and releases its leader lock. */
export const gracefulDelete: Fault = async (c, ns, pod) => {
  await c.kubectl(['-n', ns, 'delete', 'pod', pod, '--wait=false']);
};

/** `kubectl delete pod --force --grace-period=0`: the API object goes at once, the kubelet kills. */
export const forceDelete: Fault = async (c, ns, pod) => {
  await c.kubectl(['-n', ns, 'delete', 'pod', pod, '--force', '--grace-period=0', '--wait=false']);
};

/** SIGKILL of the postmaster inside the pod; Patroni lives on. */
export const postmasterKill: Fault = async (c, ns, pod) => {
  await c.kubectl([
    '-n',
    ns,
    'exec',
    pod,
    '--',
    'sh',
    '-c',
    'kill -9 "$(head -n 1 /var/lib/postgresql/data/pgdata/postmaster.pid)"',
  ]);
};

/** The container killed from the host (a crash): nobody releases the leader lock, its TTL must expire. */
export const containerKill: Fault = async (c, ns, pod) => {
  const id = (
    await c.kubectl([
      '-n',
      ns,
      'get',
      'pod',
      pod,
      '-o',
      'jsonpath={.status.containerStatuses[?(@.name=="postgres")].containerID}',
    ])
  ).replace(/^containerd:\/\//, '');
  const socket = `${PATHS.STATE}/containerd/containerd.sock`;
  await run('ctr', ['--address', socket, '-n', 'k8s.io', 'tasks', 'kill', '-s', 'SIGKILL', id]);
};

/** A planned switchover through Patroni's REST API, inside the primary pod. */
export const switchoverFrom: Fault = async (c, ns, pod) => {
  await c.kubectl([
    '-n',
    ns,
    'exec',
    pod,
    '--',
    'python3',
    '-c',
    `${PATRONI_IN_POD}urllib.request.urlopen(urllib.request.Request(base+"/switchover",` +
      `data=json.dumps({"leader":"${pod}"}).encode(),method="POST"),timeout=60,context=ctx)`,
  ]);
};
