/**
 * pg_hba.conf rules: the ones pgcluster needs first (superuser over the socket, replication),
 * then the user's lines, then the final rule: every role with a password over TCP.
 */
import type { ClusterSpec } from '../spec/cluster';
import { REPLICATION_USER, REWIND_USER, SUPERUSER } from '../naming';
import { oneLine } from './sorted';

export function renderPgHba(spec: ClusterSpec, allowedNetworks: readonly string[]): string[] {
  const fixed = [
    // In the pods with an archive, pgBackRest (archive, backups, its TLS server) reaches PostgreSQL as
    // the OS user postgres over the socket: peer, so no password file. Only processes of the pod run as
    // that user, and they hold the superuser's password anyway.
    ...(spec.platform.kubernetes && spec.backup ? [`local all ${SUPERUSER} peer`] : []),
    `local all ${SUPERUSER} scram-sha-256`,
    ...allowedNetworks.map((net) => `host replication ${REPLICATION_USER} ${net} scram-sha-256`),
    ...allowedNetworks.map((net) => `host all ${REWIND_USER} ${net} scram-sha-256`),
  ];
  const user = spec.pgHba.map((line) => oneLine(line).trim()).filter((line) => line.length > 0);
  const last = [
    'local all all scram-sha-256',
    ...allowedNetworks.map((net) => `host all all ${net} scram-sha-256`),
  ];
  return [...fixed, ...user, ...last];
}
