/**
 * `status`: Patroni's view of the members merged with the platform's (PIDs), and the endpoints
 * as connection URIs without passwords. The PostgreSQL client is loaded only when there is
 * something to ask PostgreSQL (managed roles or databases, an archive): `pgcluster status` starts fast.
 */
import type { ClusterRuntime, Platform } from '../platform/types';
import { InputError } from '../errors';
import { getCluster } from '../patroni/api';
import { CLUSTER_ROLE, isLeaderRole, isSynchronousRole } from '../patroni/roles';
import { clusterUris } from './uri';
import type { ArchiveStatus } from './archive';
import { reachMember } from '../platform/reach';
import type { DatabaseStatus, RoleStatus } from './sql-status';

export interface MemberStatus {
  name: string;
  /** `standby-leader`: the leader of a replica cluster, following the source (read-only). */
  role: 'primary' | 'standby-leader' | 'replica' | 'unknown';
  /** A synchronous standby (commits wait for it, or for enough of the quorum it is part of). */
  sync: boolean;
  /** A member of the commit quorum (synchronous.method any) rather than a named standby (first). */
  quorum: boolean;
  state: string;
  host: string;
  port: number;
  timeline: number | null;
  /** Bytes behind the primary; 0 for the primary; null when unknown. */
  lagBytes: number | null;
  pendingRestart: boolean;
  pid: number | null;
  patroniPid: number | null;
  /**
   * The member's processes that are gone, when any is and the platform knows them (local: the
   * supervisor, Patroni, the postmaster), with where its log is; null otherwise.
   */
  down: { gone: MemberProcess[]; log: string } | null;
}

export type MemberProcess = 'supervisor' | 'patroni' | 'postmaster';

export interface ClusterStatus {
  name: string;
  primary: string | null;
  members: MemberStatus[];
  endpoints: { rw: string; ro: string; r: string; pooler: string | null };
  services: ClusterRuntime['services'];
  /** Roles pgcluster manages (roles[]), as the primary has them. */
  roles: RoleStatus[];
  /** Databases pgcluster manages (databases[]). */
  databases: DatabaseStatus[];
  /** The WAL archive (backup set): pg_stat_archiver of the primary and the last backup; null without one. */
  archive: ArchiveStatus | null;
  /** No process of any member runs (`pgcluster down`, or a reboot): the cluster is stopped. */
  stopped: boolean;
  /** The spec file the cluster was last brought up from, when the platform knows it. */
  specFile: string | null;
  /** Under tls: each certificate and its expiry; [] without tls. */
  certificates: NonNullable<ClusterRuntime['certificates']>;
  /** spec.replica: the cluster's place in its group; null without replica. */
  replica: ReplicaStatus | null;
}

export interface ReplicaStatus {
  /** True while it is a replica cluster (a standby cluster): read-only. */
  readOnly: boolean;
  /** The cluster (or host:port) it follows, or would follow once demoted. */
  source: string;
  via: 'streaming' | 'archive' | 'both';
  /** The primary cluster of its group, as its spec declares it (null: a replica cluster of source). */
  groupPrimary: string | null;
  /** The standby leader's member name while a replica cluster. */
  standbyLeader: string | null;
  /** Its last demotion (its WAL end and timeline), when it was ever demoted. */
  demotion: { lsn: string; timeline: number; at: string; to: string } | null;
}

function downOf(m: ClusterRuntime['members'][number]): MemberStatus['down'] {
  if (m.logFile === undefined) return null;
  const gone: MemberProcess[] = [
    ...(m.supervisorPid ? [] : (['supervisor'] as const)),
    ...(m.patroniPid ? [] : (['patroni'] as const)),
    ...(m.pid ? [] : (['postmaster'] as const)),
  ];
  return gone.length > 0 ? { gone, log: m.logFile } : null;
}

async function sqlObjects(
  access: Awaited<ReturnType<Platform['access']>>,
  endpoints: ClusterRuntime['endpoints'],
): Promise<{ roles: RoleStatus[]; databases: DatabaseStatus[] }> {
  const managed = access.managedSql?.();
  if (Object.keys(managed?.roles ?? {}).length === 0 && Object.keys(managed?.databases ?? {}).length === 0)
    return { roles: [], databases: [] };
  const { sqlObjectsStatus } = await import('./sql-status');
  return sqlObjectsStatus(access, endpoints);
}

export async function status(
  platform: Pick<Platform, 'runtime' | 'access'>,
  name: string,
): Promise<ClusterStatus> {
  const runtime = await platform.runtime(name);
  if (!runtime.exists || !runtime.spec)
    throw new InputError(`no cluster named "${name}" (see \`pgcluster list\`)`);
  const access = await platform.access(name);
  const patroni = await getCluster(runtime.members.filter((m) => m.running).map((m) => m.apiUrl));
  const members: MemberStatus[] = runtime.members.map((m) => {
    const down = downOf(m);
    // A member whose Patroni is gone keeps its DCS entry until the key's TTL: that entry is stale.
    const p = down?.gone.includes('patroni') ? undefined : patroni?.members.find((x) => x.name === m.name);
    const leader = p !== undefined && isLeaderRole(p.role);
    return {
      name: m.name,
      role: p
        ? p.role === CLUSTER_ROLE.standbyLeader
          ? 'standby-leader'
          : leader
            ? 'primary'
            : 'replica'
        : 'unknown',
      sync: p !== undefined && isSynchronousRole(p.role),
      quorum: p?.role === CLUSTER_ROLE.quorumStandby,
      state: p?.state ?? (m.running ? 'starting' : 'stopped'),
      host: m.postgres.host,
      port: m.postgres.port,
      timeline: p?.timeline ?? null,
      lagBytes: leader ? 0 : typeof p?.lag === 'number' ? p.lag : null,
      pendingRestart: p?.pending_restart === true,
      pid: m.pid ?? null,
      patroniPid: m.patroniPid ?? null,
      down,
    };
  });
  const primary = members.find((m) => m.role === 'primary')?.name ?? null;
  const primaryMember = patroni?.members.find((m) => isLeaderRole(m.role));
  let archive: ArchiveStatus | null = null;
  if (runtime.spec.backup && primaryMember) {
    try {
      const { archiveStatus } = await import('./archive');
      archive = await archiveStatus(access, await reachMember(access, primaryMember));
    } catch {
      archive = null;
    }
  }
  const uris = clusterUris(runtime.endpoints, access.app());
  const r = runtime.spec.replica;
  const standbyLeader = members.find((m) => m.role === 'standby-leader')?.name ?? null;
  const replica: ReplicaStatus | null = r
    ? {
        readOnly: standbyLeader !== null,
        source: r.source.cluster ?? `${r.source.host}:${r.source.port}`,
        via: r.via,
        groupPrimary: r.primary ?? null,
        standbyLeader,
        demotion: access.demotion?.() ?? null,
      }
    : null;
  return {
    name,
    primary,
    members,
    endpoints: { ...uris, pooler: uris.pooler ?? null },
    services: runtime.services,
    ...(await sqlObjects(access, runtime.endpoints)),
    archive,
    stopped: runtime.members.length > 0 && runtime.members.every((m) => !m.running && !m.pid),
    specFile: runtime.specFile ?? null,
    certificates: runtime.certificates ?? [],
    replica,
  };
}
