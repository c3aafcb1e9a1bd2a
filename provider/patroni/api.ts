/**
 * Patroni's REST API client (4.x shapes), for the platforms and the actions. Platform-neutral:
 * callers supply base URLs. Roles and states are judged with ./roles.
 */
import { ActionError } from '../errors';

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

async function call(url: string, init: RequestInit = {}, timeoutMs = 5000): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}

export async function getJson<T>(url: string, timeoutMs?: number): Promise<T> {
  const res = await call(url, {}, timeoutMs);
  if (!res.ok && res.status !== 503) throw new ActionError(`GET ${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
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

export async function patchDynamicConfig(apiUrl: string, patch: Record<string, unknown>): Promise<void> {
  const res = await call(`${apiUrl}/config`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(patch),
  });
  if (!res.ok) throw new ActionError(`PATCH ${apiUrl}/config: HTTP ${res.status} ${await res.text()}`);
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
  return { status: res.status, text: (await res.text()).trim() };
}
