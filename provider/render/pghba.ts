/**
 * pg_hba.conf rules: the ones pgcluster needs first (superuser over the socket, replication),
 * then the user's lines, then the final rule: every role with a password over TCP. Under `tls`,
 * replication and pg_rewind use client certificates (`hostssl ... cert`), the roles of
 * tls.clientAuth.users too, and with tls.required every TCP rule is `hostssl`.
 */
import type { ClusterSpec } from '../spec/cluster';
import { REWIND_USER, SUPERUSER } from '../naming';
import { replicationHbaUsers } from './replication-user';
import { oneLine } from './sorted';
import { activeTls, replicationMethod, tcpRules } from './tls';

export function renderPgHba(spec: ClusterSpec, allowedNetworks: readonly string[]): string[] {
  const fixed = [
    // In the pods with an archive, pgBackRest (archive, backups, its TLS server) reaches PostgreSQL as
    // the OS user postgres over the socket: peer, so no password file. Only processes of the pod run as
    // that user, and they hold the superuser's password anyway.
    ...(spec.platform.kubernetes && spec.backup ? [`local all ${SUPERUSER} peer`] : []),
    `local all ${SUPERUSER} scram-sha-256`,
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
