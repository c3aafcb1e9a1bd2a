/**
 * libpq connection URIs for a cluster's endpoints. rw/ro/r list every member and let libpq pick
 * by target_session_attrs (the local platform has no service VIP); pooler is PgBouncer.
 * Without a password unless one is passed (`pgcluster uri` prints it for scripts). socketUris: the
 * local platform's superuser over the members' sockets (peer authentication, no password).
 */
import type { ClusterEndpoints, Credentials, PgEndpoint } from '../platform/types';
import { uriTlsQuery } from '../render/tls';

function hosts(endpoints: readonly PgEndpoint[]): string {
  return endpoints.map((e) => `${e.host}:${e.port}`).join(',');
}

export function uri(
  endpoints: readonly PgEndpoint[],
  creds: Credentials,
  query: string,
  withPassword: boolean,
): string {
  const user =
    encodeURIComponent(creds.user) + (withPassword ? `:${encodeURIComponent(creds.password)}` : '');
  return `postgresql://${user}@${hosts(endpoints)}/${encodeURIComponent(creds.database)}${query ? `?${query}` : ''}`;
}

export function clusterUris(endpoints: ClusterEndpoints, creds: Credentials, withPassword = false) {
  const tls = uriTlsQuery(endpoints.caFile);
  const q = (...parts: string[]) => parts.filter((p) => p.length > 0).join('&');
  return {
    rw: uri(endpoints.rw, creds, q('target_session_attrs=read-write', tls), withPassword),
    ro: uri(endpoints.ro, creds, q('target_session_attrs=standby', tls), withPassword),
    r: uri(endpoints.rw, creds, tls, withPassword),
    pooler: endpoints.pooler ? uri([endpoints.pooler], creds, tls, withPassword) : undefined,
  };
}

/** A URI query value: percent-encoded, but the slashes of a path and the commas of a list kept. */
function queryValue(value: string): string {
  return encodeURIComponent(value).replace(/%2F/gi, '/').replace(/%2C/gi, ',');
}

function socketUri(endpoints: readonly PgEndpoint[], creds: Credentials, query: string): string | undefined {
  const dirs = endpoints.map((e) => creds.socketFor?.(e));
  if (dirs.length === 0 || dirs.some((d) => d === undefined)) return undefined;
  const q = [
    `host=${queryValue(dirs.join(','))}`,
    `port=${endpoints.map((e) => e.port).join(',')}`,
    ...(query ? [query] : []),
  ];
  return `postgresql://${encodeURIComponent(creds.user)}@/${encodeURIComponent(creds.database)}?${q.join('&')}`;
}

/** libpq URIs over the members' sockets (host and port lists), when creds has a socket for every member. */
export function socketUris(endpoints: ClusterEndpoints, creds: Credentials) {
  const rw = socketUri(endpoints.rw, creds, 'target_session_attrs=read-write');
  const ro = socketUri(endpoints.ro, creds, 'target_session_attrs=standby');
  const r = socketUri(endpoints.rw, creds, '');
  return rw && ro && r ? { rw, ro, r } : undefined;
}
