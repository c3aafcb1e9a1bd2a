/**
 * libpq connection URIs for a cluster's endpoints. rw/ro/r list every member and let libpq pick
 * by target_session_attrs (the local platform has no service VIP); pooler is PgBouncer.
 * Without a password unless one is passed (`pgcluster uri` prints it for scripts).
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
