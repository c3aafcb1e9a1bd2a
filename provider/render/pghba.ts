/**
 * pg_hba.conf rules: the ones pgcluster needs first (superuser over the socket, replication),
 * then the user's lines, then the final rule: every role with a password over TCP. The login roles
 * of roles[] with REPLICATION may stream, as the cluster's own replication role. Under `tls`,
 * replication and pg_rewind use client certificates (`hostssl ... cert`), the roles of
 * tls.clientAuth.users too, and with tls.required every TCP rule is `hostssl`.
 *
 * platform.local: the superuser logs in over the socket by `peer` authentication through the
 * pg_ident map PEER_MAP (the OS users that run the cluster and pgcluster itself), with no password,
 * so a replica cluster needs none of its source's (renderPgIdent). platform.kubernetes: the OS user
 * postgres of the pods by `peer`; a replica cluster's superuser over TCP by its own client
 * certificate (CN superuserCertName, mapped by SUPERUSER_CERT_MAP), which needs tls on.
 */
import type { ClusterSpec } from '../spec/cluster';
import { PEER_MAP, REWIND_USER, SUPERUSER, SUPERUSER_CERT_MAP, superuserCertName } from '../naming';
import { kubernetesReplica } from '../spec/replica';
import { replicationHbaUsers } from './replication-user';
import { oneLine } from './sorted';
import { activeTls, replicationMethod, tcpRules } from './tls';

export function renderPgHba(spec: ClusterSpec, allowedNetworks: readonly string[]): string[] {
  const fixed = [
    // platform.kubernetes: the OS user postgres over the socket (Patroni, pgBackRest, the exporter),
    // by peer, so no password. Only processes of the pod run as that user.
    spec.platform.local ? `local all ${SUPERUSER} peer map=${PEER_MAP}` : `local all ${SUPERUSER} peer`,
    // A replica cluster on Kubernetes holds none of its source's passwords: the deployer and the CLI
    // log in as the superuser through their port-forwards with its own client certificate, and
    // over TCP nothing else logs in as it (not the source's password, which the copied catalog admits).
    ...(kubernetesReplica(spec)
      ? allowedNetworks.flatMap((net) => [
          `hostssl all ${SUPERUSER} ${net} cert map=${SUPERUSER_CERT_MAP}`,
          `hostnossl all ${SUPERUSER} ${net} reject`,
        ])
      : []),
    ...replicationHbaUsers(spec).flatMap((user) =>
      tcpRules(spec, allowedNetworks, 'replication', user, replicationMethod(spec)),
    ),
    ...tcpRules(spec, allowedNetworks, 'all', REWIND_USER, replicationMethod(spec)),
    ...(activeTls(spec)?.clientAuth.users ?? []).flatMap((user) =>
      tcpRules(spec, allowedNetworks, 'all', user, 'cert'),
    ),
  ];
  const user = spec.pgHba.map((line) => oneLine(line).trim()).filter((line) => line.length > 0);
  const last = [
    'local all all scram-sha-256',
    ...tcpRules(spec, allowedNetworks, 'all', 'all', 'scram-sha-256'),
  ];
  return [...fixed, ...user, ...last];
}

/** pg_ident.conf lines of SUPERUSER_CERT_MAP: the CN of the cluster's superuser certificate. */
export function renderSuperuserCertIdent(spec: ClusterSpec): string[] {
  return kubernetesReplica(spec)
    ? [`${SUPERUSER_CERT_MAP} ${superuserCertName(spec.name)} ${SUPERUSER}`]
    : [];
}

/** pg_ident.conf lines of PEER_MAP: each OS user given logs in over the socket as the superuser. */
export function renderPgIdent(osUsers: readonly string[]): string[] {
  const users = [...new Set(osUsers)];
  for (const user of users)
    if (!/^[a-z_][a-z0-9_.-]*[$]?$/i.test(user))
      throw new Error(`not an OS user name pg_ident.conf can take: ${JSON.stringify(user)}`);
  return users.map((user) => `${PEER_MAP} ${user} ${SUPERUSER}`);
}
