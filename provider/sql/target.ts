/**
 * Where the Role, Database and Grant resources run their SQL: the primary of a cluster, reached
 * directly (one host, or libpq-style `host:port,host:port` tried for the read-write one) or through
 * port-forwards to Kubernetes pods. The superuser (or a CREATEROLE/CREATEDB role) credentials come
 * with it. A server refusing connections for a moment (too many clients, starting up, in recovery
 * after a failover) is retried, so many resources applied in parallel do not fail each other.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'pg';
import { connectTarget } from './connect';
import type { PgConfig } from './connections';
import { kubeConfigOf, portForwarder } from '../platform/kubernetes/port-forward';

export interface SqlConnection {
  /** One server. */
  host?: string;
  port?: number;
  /** `host:port[,host:port...]`: the first read-write server among them (like target_session_attrs). */
  endpoints?: string;
  /** Pods reached by port-forward: the read-write one among them. */
  kubernetes?: {
    namespace: string;
    pods: string[];
    port: number;
    /** A kubeconfig's text or file path; absent: the default kubeconfig. */
    kubeconfig?: string;
    /** Its context; absent: its current context. */
    context?: string;
  };
  user: string;
  password: string;
  /** Where roles and databases are managed from. @default postgres */
  database?: string;
  /** PEM of the CA: TLS, verifying the server by it. */
  ca?: string;
}

/** Which of host, endpoints, kubernetes is set, or why the connection is not usable. */
export function connectionIssue(c: Partial<SqlConnection> | undefined): string | undefined {
  if (!c || typeof c !== 'object') return 'connection is required';
  const ways = [c.host !== undefined, c.endpoints !== undefined, c.kubernetes !== undefined].filter(Boolean);
  if (ways.length !== 1)
    return 'set exactly one of connection.host, connection.endpoints, connection.kubernetes';
  if (c.host !== undefined && (c.port === undefined || !Number.isInteger(c.port)))
    return 'connection.port is required with connection.host (an integer)';
  if (c.endpoints !== undefined && parseEndpoints(c.endpoints).length === 0)
    return `connection.endpoints ${JSON.stringify(c.endpoints)} is not host:port[,host:port...]`;
  if (!c.user) return 'connection.user is required';
  if (c.password === undefined) return 'connection.password is required';
  return undefined;
}

export function parseEndpoints(text: string): Array<{ host: string; port: number }> {
  const out = text.split(',').map((part) => {
    const m = /^\s*(\[[^\]]+\]|[^:,\s]+):(\d{1,5})\s*$/.exec(part);
    return m ? { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) } : undefined;
  });
  return out.every((e) => e !== undefined) ? (out as Array<{ host: string; port: number }>) : [];
}

/** SQLSTATEs worth waiting out: too many connections, starting up, shutting down, read-only. */
const TRANSIENT = new Set(['53300', '57P03', '57P01', '25006']);

function transient(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  const message = String((e as Error).message ?? '');
  return (
    (code !== undefined && TRANSIENT.has(code)) ||
    /ECONNREFUSED|ECONNRESET|no read-write server|too many clients|timeout/i.test(message)
  );
}

async function retrying<T>(fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await fn();
    } catch (e) {
      if (!transient(e) || Date.now() + delay > deadline) throw e;
      await sleep(delay);
    }
  }
}

async function primaryOf(
  endpoints: Array<{ host: string; port: number }>,
  c: SqlConnection,
): Promise<PgConfig> {
  const creds = { user: c.user, password: c.password, database: c.database ?? 'postgres' };
  const ssl = c.ca ? { ca: c.ca } : undefined;
  const client: Client = await connectTarget(endpoints, { ...creds, ...(ssl ? { ssl } : {}) }, 'read-write');
  const host = client.host;
  const port = client.port;
  await client.end().catch(() => undefined);
  return { host, port, ...creds, ...(ssl ? { ssl } : {}) };
}

/**
 * Runs `fn` with a `pg` config of the primary; port-forwards (kubernetes) stay open meanwhile.
 * Waits up to `timeoutMs` for a read-write server (a failover in progress, a full server).
 */
export async function withPrimary<T>(
  c: SqlConnection,
  fn: (config: PgConfig) => Promise<T>,
  timeoutMs = 60_000,
): Promise<T> {
  const issue = connectionIssue(c);
  if (issue) throw new Error(issue);
  if (c.kubernetes) {
    const k = c.kubernetes;
    const forwarder = portForwarder(k.namespace, kubeConfigOf(k.kubeconfig, k.context));
    try {
      const endpoints = await Promise.all(
        k.pods.map(async (pod) => ({ host: '127.0.0.1', port: await forwarder.local(pod, k.port) })),
      );
      return await fn(await retrying(() => primaryOf(endpoints, c), timeoutMs));
    } finally {
      await forwarder.close();
    }
  }
  const endpoints =
    c.endpoints !== undefined ? parseEndpoints(c.endpoints) : [{ host: c.host!, port: c.port! }];
  const config = await retrying(() => primaryOf(endpoints, c), timeoutMs);
  return retrying(() => fn(config), timeoutMs);
}
