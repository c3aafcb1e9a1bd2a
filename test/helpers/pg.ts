/** Talking to a test cluster: status, connections by URI, process facts. */
import { Client } from 'pg';
import { readdirSync, readFileSync } from 'node:fs';
import { cliOk } from './cli';
import type { ClusterStatus } from '../../provider/actions/status';

export async function statusOf(stateDir: string, name: string): Promise<ClusterStatus> {
  return JSON.parse((await cliOk(stateDir, ['status', name, '--json'])).stdout) as ClusterStatus;
}

export async function uriOf(stateDir: string, name: string, ...flags: string[]): Promise<string> {
  return (await cliOk(stateDir, ['uri', name, ...flags])).stdout.trim();
}

/** Splits a multi-host libpq URI into one URI per host (node-postgres takes one host). */
export function perHost(uri: string): string[] {
  const m = /^postgresql:\/\/([^@]+)@([^/]+)\/([^?]*)(\?.*)?$/.exec(uri);
  if (!m) throw new Error(`not a URI: ${uri}`);
  return (m[2] as string).split(',').map((h) => `postgresql://${m[1]}@${h}/${m[3]}`);
}

export async function connect(uri: string): Promise<Client> {
  const client = new Client({ connectionString: uri, connectionTimeoutMillis: 3000, query_timeout: 15_000 });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Runs one query on a fresh connection. */
export async function query<T extends Record<string, unknown>>(
  uri: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = await connect(uri);
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Connects to the member that matches, like libpq's target_session_attrs on a multi-host URI. */
export async function connectMatching(uri: string, primary: boolean): Promise<Client> {
  const errors: string[] = [];
  for (const one of perHost(uri)) {
    try {
      const client = await connect(one);
      const { rows } = await client.query<{ r: boolean }>('select pg_is_in_recovery() as r');
      if (rows[0]?.r === !primary) return client;
      await client.end();
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  throw new Error(`no ${primary ? 'primary' : 'standby'}: ${errors.join('; ')}`);
}

export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value !== undefined && value !== false) return value;
    } catch (e) {
      lastError = e;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
}

/** PIDs of live processes whose command line mentions dir (what a destroyed cluster must not leave). */
export function processesUsing(dir: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The one-host URI of the member of a (multi-host) URI that is the primary now. */
export async function primaryUri(uri: string): Promise<string> {
  for (const one of perHost(uri.replace(/\?.*$/, ''))) {
    try {
      const [row] = await query<{ r: boolean }>(one, 'select pg_is_in_recovery() as r');
      if (row && !row.r) return one;
    } catch {
      // a member that is down
    }
  }
  throw new Error('no primary');
}
