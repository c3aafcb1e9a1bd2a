/**
 * Connections the actions open: to one member, or to whichever member matches a libpq-style
 * target_session_attrs (node-postgres has no multi-host URIs, so we pick the host ourselves).
 */
import { Client, type ClientConfig } from 'pg';
import type { Credentials, PgEndpoint } from '../platform/types';

export type TargetSessionAttrs = 'any' | 'read-write' | 'standby';

export async function connectTo(
  endpoint: PgEndpoint,
  creds: Credentials,
  extra: Partial<ClientConfig> = {},
): Promise<Client> {
  const socket = creds.socketFor?.(endpoint);
  const client = new Client({
    host: socket ?? endpoint.host,
    port: endpoint.port,
    user: creds.user,
    database: creds.database,
    connectionTimeoutMillis: 3000,
    application_name: 'pgcluster',
    // Over the member's socket: peer authentication, and no TLS (PostgreSQL offers none there). The
    // password, when there is one, is sent only if asked (a member still on an older pg_hba).
    password: creds.password,
    ...(!socket && creds.ssl ? { ssl: { ...creds.ssl } } : {}),
    ...extra,
  });
  client.on('error', () => undefined); // a dropped connection surfaces on the next query
  await client.connect();
  return client;
}

/** Connects to the first endpoint whose role matches, like libpq's target_session_attrs. */
export async function connectTarget(
  endpoints: readonly PgEndpoint[],
  creds: Credentials,
  target: TargetSessionAttrs,
  extra: Partial<ClientConfig> = {},
): Promise<Client> {
  const errors: string[] = [];
  for (const endpoint of endpoints) {
    let client: Client | undefined;
    try {
      client = await connectTo(endpoint, creds, extra);
      if (target === 'any') return client;
      const { rows } = await client.query<{ recovery: boolean }>('select pg_is_in_recovery() as recovery');
      if (rows[0]?.recovery === (target === 'standby')) return client;
      errors.push(`${endpoint.host}:${endpoint.port} is ${rows[0]?.recovery ? 'a standby' : 'the primary'}`);
    } catch (e) {
      errors.push(`${endpoint.host}:${endpoint.port}: ${(e as Error).message}`);
    }
    await client?.end().catch(() => undefined);
  }
  throw new Error(`no ${target} server among ${endpoints.length} member(s): ${errors.join('; ')}`);
}

export async function withClient<T>(client: Client, fn: (c: Client) => Promise<T>): Promise<T> {
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
