/**
 * Reaching a cluster on the single-node Kubernetes from the host, as a user of the node would:
 * through the Services' ClusterIPs (kube-proxy), with the credentials of its Secrets, and Patroni's
 * view of the members through `kubectl exec` (the pod's own REST API).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PG_BIN } from '../../helpers/postgres';
import type { Cluster } from './cluster';

export interface Credentials {
  user: string;
  password: string;
}

export async function serviceIp(cluster: Cluster, namespace: string, service: string): Promise<string> {
  return (
    await cluster.kubectl(['-n', namespace, 'get', 'service', service, '-o', 'jsonpath={.spec.clusterIP}'])
  ).trim();
}

/**
 * A conninfo to `<service>.<ns>.svc` by the Service's ClusterIP as hostaddr, so that verify-full
 * checks the name (not the address) against the server certificate; `extra`: e.g. the sslmode and CA.
 */
export async function byServiceName(
  cluster: Cluster,
  namespace: string,
  service: string,
  extra = '',
): Promise<string> {
  const ip = await serviceIp(cluster, namespace, service);
  return `host=${service}.${namespace}.svc hostaddr=${ip} port=5432 dbname=app ${extra}`;
}

export interface Psql {
  ok: boolean;
  out: string;
  err: string;
}

/** psql on the node; the password in its environment, never in its arguments. */
export function psql(conninfo: string, sql: string, who: Credentials): Psql {
  const r = spawnSync(join(PG_BIN, 'psql'), [conninfo, '-XAtc', sql], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, PGUSER: who.user, PGPASSWORD: who.password, PGCONNECT_TIMEOUT: '5' },
  });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? '').trim() };
}

export async function secretOf(
  cluster: Cluster,
  namespace: string,
  secret: string,
): Promise<Record<string, string>> {
  const data = JSON.parse(
    await cluster.kubectl(['-n', namespace, 'get', 'secret', secret, '-o', 'jsonpath={.data}']),
  ) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
}

export async function superuser(cluster: Cluster, namespace: string, name: string): Promise<Credentials> {
  const s = await secretOf(cluster, namespace, `${name}-superuser`);
  return { user: s.username as string, password: s.password as string };
}

export async function appUser(cluster: Cluster, namespace: string, name: string): Promise<Credentials> {
  const s = await secretOf(cluster, namespace, `${name}-app`);
  return { user: s.username as string, password: s.password as string };
}

/** A libpq URI to a Service's ClusterIP. */
export async function serviceUri(
  cluster: Cluster,
  namespace: string,
  service: string,
  who: Credentials,
  database = 'postgres',
): Promise<string> {
  const ip = await serviceIp(cluster, namespace, service);
  return `postgresql://${encodeURIComponent(who.user)}:${encodeURIComponent(who.password)}@${ip}:5432/${database}?connect_timeout=3`;
}

export interface PatroniMember {
  name: string;
  role: string;
  state: string;
  host: string;
  timeline?: number;
  lag?: number | string;
}

/**
 * The start of a Python one-liner run inside a member pod: `base` is Patroni's REST API on
 * 127.0.0.1:8008 and `ctx` its TLS context (HTTPS verified by the cluster's CA while tls is on, the
 * default; plain HTTP otherwise).
 */
export const PATRONI_IN_POD =
  'import json,os,ssl,urllib.request;ca="/etc/pgcluster/tls/ca.crt";tls=os.path.exists(ca);' +
  'ctx=ssl.create_default_context(cafile=ca) if tls else None;base=("https" if tls else "http")+"://127.0.0.1:8008";';

/** Patroni's /cluster, asked inside a member pod (any one that answers). */
export async function patroniCluster(
  cluster: Cluster,
  namespace: string,
  pods: string[],
): Promise<{ members: PatroniMember[] }> {
  let last: unknown;
  for (const pod of pods) {
    try {
      const out = await cluster.kubectl([
        '-n',
        namespace,
        'exec',
        pod,
        '--',
        'python3',
        '-c',
        `${PATRONI_IN_POD}print(urllib.request.urlopen(base+"/cluster",timeout=3,context=ctx).read().decode())`,
      ]);
      return JSON.parse(out) as { members: PatroniMember[] };
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/** The pod labelled primary by Patroni, if exactly one is. */
export async function labelledPrimary(cluster: Cluster, namespace: string, name: string): Promise<string[]> {
  const out = await cluster.kubectl([
    '-n',
    namespace,
    'get',
    'pods',
    '-l',
    `cluster-name=${name},role=primary`,
    '-o',
    'jsonpath={.items[*].metadata.name}',
  ]);
  return out.trim().split(/\s+/).filter(Boolean);
}
