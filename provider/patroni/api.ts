/**
 * Patroni's REST API client (4.x shapes), for the platforms and the actions. Platform-neutral:
 * callers supply base URLs. Roles and states are judged with ./roles.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ActionError } from '../errors';
import { sleep } from '../util/sleep';

/** A member in `GET /cluster`: `role` is one of roles.CLUSTER_ROLE, `lag` bytes or 'unknown'. */
export interface PatroniMember {
  name: string;
  role: string;
  state: string;
  host?: string;
  port?: number;
  api_url?: string;
  timeline?: number;
  lag?: number | string;
  pending_restart?: boolean;
}

export interface PatroniCluster {
  members: PatroniMember[];
  scope?: string;
  /** True while the cluster is paused (maintenance mode). */
  pause?: boolean;
}

/** CAs that HTTPS calls to a Patroni REST API verify the server with (a cluster under tls). */
const trusted = new Set<string>();

/** Trust `pem` for the REST APIs of a cluster under tls (the platform calls it with the cluster's CA). */
export function trustCertificateAuthority(pem: string): void {
  trusted.add(pem);
}

interface HttpResponse {
  status: number;
  ok: boolean;
  text: string;
}

/**
 * One HTTP exchange with node:http (not fetch: the first fetch of a process loads undici, some
 * 50 ms that every `pgcluster status` would pay). The timeout covers the whole exchange.
 */
function callOnce(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  timeoutMs = 5000,
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const tls = url.startsWith('https:') && trusted.size > 0 ? { ca: [...trusted] } : {};
    const req = send(
      url,
      { method: init.method ?? 'GET', headers: init.headers, agent: false, ...tls },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          resolve({ status, ok: status >= 200 && status < 300, text });
        });
      },
    );
    const timer = setTimeout(
      () => req.destroy(new ActionError(`${init.method ?? 'GET'} ${url}: no answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(init.body);
  });
}

/** Attempts of a GET or PATCH whose connection was reset: Patroni restarts its REST API when it reloads a new certificate. */
const RESET_ATTEMPTS = 3;

/**
 * callOnce, again after a reset connection for the requests that are safe to repeat (GET, and PATCH
 * /config, a merge). A refused connection is not retried: that member is down, and callers go on
 * to the next one at once.
 */
async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  timeoutMs = 5000,
): Promise<HttpResponse> {
  const repeatable = ['GET', 'PATCH'].includes(init.method ?? 'GET');
  for (let attempt = 1; ; attempt++) {
    try {
      return await callOnce(url, init, timeoutMs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (!repeatable || attempt >= RESET_ATTEMPTS || (code !== 'ECONNRESET' && code !== 'EPIPE')) throw e;
      await sleep(200 * attempt);
    }
  }
}

export async function getJson<T>(url: string, timeoutMs?: number): Promise<T> {
  const res = await call(url, {}, timeoutMs);
  if (!res.ok && res.status !== 503) throw new ActionError(`GET ${url}: HTTP ${res.status}`);
  return JSON.parse(res.text) as T;
}

/** The cluster view of the first member that answers. */
export async function getCluster(apiUrls: readonly string[]): Promise<PatroniCluster | undefined> {
  for (const url of apiUrls) {
    try {
      return await getJson<PatroniCluster>(`${url}/cluster`, 2000);
    } catch {
      // try the next member
    }
  }
  return undefined;
}

export async function getDynamicConfig(apiUrl: string): Promise<Record<string, unknown>> {
  return getJson<Record<string, unknown>>(`${apiUrl}/config`);
}

/** Attempts of a PATCH /config that Patroni answers 409: another writer changed the key first. */
const PATCH_CONFLICT_ATTEMPTS = 5;

/**
 * PATCH /config: Patroni merges the patch into the DCS key with a compare-and-set and answers 409
 * when another writer (a member, another action) changed the key in between. The merge is done again
 * on the new value, so the same patch is sent again.
 */
export async function patchDynamicConfig(apiUrl: string, patch: Record<string, unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const res = await call(`${apiUrl}/config`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(patch),
    });
    if (res.ok) return;
    if (res.status !== 409 || attempt >= PATCH_CONFLICT_ATTEMPTS)
      throw new ActionError(`PATCH ${apiUrl}/config: HTTP ${res.status} ${res.text}`);
    await sleep(100 * attempt);
  }
}

export async function postJson(
  url: string,
  body: unknown,
  timeoutMs = 60_000,
): Promise<{ status: number; text: string }> {
  const res = await call(
    url,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    timeoutMs,
  );
  return { status: res.status, text: res.text.trim() };
}

/** The leader (primary or standby leader) of a cluster, with the address Patroni advertises for it. */
export async function leaderOf(apiUrls: readonly string[]): Promise<PatroniMember | undefined> {
  const cluster = await getCluster(apiUrls);
  return cluster?.members.find((m) => m.role === 'leader' || m.role === 'standby_leader');
}
