/** Where the deployer reaches a member's PostgreSQL: through the platform's indirection, if any. */
import { ActionError } from '../errors';
import type { PatroniMember } from '../patroni/api';
import type { ClusterAccess, PgEndpoint } from './types';

export async function reachMember(access: ClusterAccess, member: PatroniMember): Promise<PgEndpoint> {
  if (access.pgEndpoint) return access.pgEndpoint(member);
  if (!member.host || !member.port) throw new ActionError(`Patroni reports no address for ${member.name}`);
  return { host: member.host, port: member.port };
}
