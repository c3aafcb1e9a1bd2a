/**
 * spec.replica on the local platform: the source cluster of this state dir (its record, its
 * secrets, its current leader's address, its archive) and the Patroni standby_cluster that follows it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { ClusterSpec } from '../../spec/cluster';
import { isReplicaCluster } from '../../spec/replica';
import type { StandbyContext } from '../../render/context';
import type { SourcePosition } from '../types';
import { renderRestoreConf } from '../../render/pgbackrest';
import { InputError } from '../../errors';
import { leaderOf } from '../../patroni/api';
import { clusterPaths } from './paths';
import { memberRuntime } from './pids';
import { localCluster, type LocalCluster } from './cluster-context';
import { clusterRepo } from './pgbackrest';
import { ensureDir, giveTo } from './run-user';
import { readRecord, readSecrets, writeFileAtomic, type ClusterRecord, type StoredSecrets } from './state';
import { join } from 'node:path';
import { externalStandby } from './replica-external';

const FIELD = 'replica.source.cluster';
/** The Patroni replica method that restores the source's latest backup (via archive or both). */
export const REPLICA_RESTORE_METHOD = 'pgcluster_replica_restore';

/** The source cluster of the spec, from its record in this state dir. */
export function sourceCluster(
  lc: LocalCluster,
  spec: ClusterSpec,
): { lc: LocalCluster; record: ClusterRecord } {
  const name = spec.replica?.source.cluster;
  if (!name)
    throw new InputError(`${FIELD}: only a cluster of this state dir is supported as a source for now`);
  const record = readRecord(clusterPaths(lc.stateDir, name).stateFile);
  if (!record)
    throw new InputError(
      `${FIELD}: no cluster named "${name}" in state dir ${lc.stateDir} (see \`pgcluster list\`)`,
    );
  const base = record.spec.platform.local?.basePort;
  if (base === undefined) throw new InputError(`${FIELD}: cluster "${name}" is not a local cluster`);
  // Its REST API speaks HTTPS while its members run with tls (the same CA as ours: see tls.ts).
  const tls = existsSync(clusterPaths(lc.stateDir, name).tls.active);
  return { lc: localCluster(lc.stateDir, name, base, lc.user, tls, record.spec.platform.local), record };
}

/** What `up` checks before it starts anything: a source it can follow, of the same major version, with an archive when needed. */
export function checkReplicaSource(lc: LocalCluster, spec: ClusterSpec): void {
  const r = spec.replica;
  if (!r || !isReplicaCluster(spec)) return;
  // An external source is checked by logging in to it (replica-external.ts).
  if (r.source.host !== undefined) return;
  const source = sourceCluster(lc, spec);
  if (source.record.spec.postgresVersion !== spec.postgresVersion)
    throw new InputError(
      `postgresVersion: ${spec.postgresVersion} is not allowed for a replica cluster of "${source.record.name}", which runs PostgreSQL ${source.record.spec.postgresVersion}: a physical replica has the same major version`,
    );
  if (r.via !== 'streaming' && !source.record.spec.backup)
    throw new InputError(
      `replica.via: ${JSON.stringify(r.via)} needs the archive of cluster "${source.record.name}", which has no backup: set backup there, or use via: streaming`,
    );
  // Replication crosses sites the way the source's pg_hba admits it: both sides TLS (sharing the
  // source's CA) or both plaintext, with the same kind of replication login.
  const theirs = source.record.spec.tls;
  const on = (t: ClusterSpec['tls'] | undefined) => t?.enabled === true;
  if (on(spec.tls) !== on(theirs))
    throw new InputError(
      `tls.enabled: ${on(spec.tls)} is not allowed for a replica cluster of "${source.record.name}", whose tls.enabled is ${on(theirs)}: a replica cluster and its source agree (set it to ${on(theirs)} here, or change it on "${source.record.name}" first)`,
    );
  if (on(spec.tls) && spec.tls.clientAuth.replication !== theirs?.clientAuth.replication)
    throw new InputError(
      `tls.clientAuth.replication: ${JSON.stringify(spec.tls.clientAuth.replication)} is not allowed for a replica cluster of "${source.record.name}", which uses ${JSON.stringify(theirs?.clientAuth.replication)}: its pg_hba admits the replica's replication login only that way`,
    );
}

/** Where the source's members answer (Patroni REST API), by member name. */
export function sourceApiUrls(source: { lc: LocalCluster; record: ClusterRecord }): string[] {
  return source.record.slots.map((s) => memberRuntime(source.lc, s).apiUrl);
}

/**
 * A replica cluster is a physical copy of its source, catalog included: its Patroni logs in with the
 * source's pg_rewind password and the application owner's. They are read from the source's secrets
 * file in this state dir, never sent anywhere. Its replication password is its own (the dedicated
 * role `<cluster>_replication`, created on the source from its verifier: replica-role.ts), and so is
 * the pooler's admin. Not the superuser's: on the local platform the superuser logs in over the
 * socket by peer authentication, so a replica cluster neither needs nor holds its source's.
 */
export function inheritedSecrets(lc: LocalCluster, spec: ClusterSpec): Partial<StoredSecrets> | undefined {
  if (!isReplicaCluster(spec) || existsSync(lc.paths.secretsFile)) return undefined;
  // An external source: nothing to take over, but no superuser password of its own either.
  if (spec.replica?.source.host !== undefined) return {};
  if (!spec.replica?.source.cluster) return undefined;
  const source = readSecrets(clusterPaths(lc.stateDir, spec.replica.source.cluster).secretsFile);
  if (!source) throw new InputError(`${FIELD}: cluster "${spec.replica.source.cluster}" has no secrets file`);
  return {
    rewindPassword: source.rewindPassword,
    appPassword: source.appPassword,
    appVerifier: source.appVerifier,
  };
}

/**
 * A replica cluster created by an older version took its source's superuser password into its own
 * secrets.json: dropped (the same password as the source's, so not one of its own). Returns true
 * when the file changed.
 */
export function dropInheritedSuperuser(lc: LocalCluster, spec: ClusterSpec): boolean {
  const name = spec.replica?.source.cluster;
  if (!name) return false;
  const mine = readSecrets(lc.paths.secretsFile);
  const theirs = readSecrets(clusterPaths(lc.stateDir, name).secretsFile);
  if (mine?.superuserPassword === undefined || mine.superuserPassword !== theirs?.superuserPassword)
    return false;
  const { superuserPassword: _dropped, ...rest } = mine;
  writeFileAtomic(lc.paths.secretsFile, `${JSON.stringify(rest, null, 2)}\n`, 0o600);
  return true;
}

/** The cluster-wide pgBackRest configuration that reads the source's archive (pg1-path comes from the member's environment). */
export function replicaRestoreConf(lc: LocalCluster): string {
  return join(lc.paths.backup.dir, 'replica-source.conf');
}

/** Writes replicaRestoreConf for via archive|both; returns its path. */
export function writeReplicaRestoreConf(lc: LocalCluster, spec: ClusterSpec): string | undefined {
  const r = spec.replica;
  if (!r || r.via === 'streaming' || !r.source.cluster) return undefined;
  const source = sourceCluster(lc, spec);
  if (!source.record.spec.backup)
    throw new InputError(
      `replica.via: ${JSON.stringify(r.via)} needs the archive of cluster "${r.source.cluster}", which has no backup: set backup there, or use via: streaming`,
    );
  ensureDir(lc.user, lc.paths.backup.dir);
  ensureDir(lc.user, lc.paths.backup.log);
  const file = replicaRestoreConf(lc);
  const text = renderRestoreConf(
    {
      pg: [],
      stanza: r.source.cluster,
      repo: clusterRepo(lc, r.source.cluster, FIELD),
      logPath: lc.paths.backup.log,
      lockPath: join(lc.paths.backup.dir, 'replica-lock'),
    },
    2,
  );
  writeFileAtomic(file, text, 0o600);
  giveTo(lc.user, file);
  return file;
}

/**
 * The standby_cluster of a replica cluster: the source's current leader (streaming) and its archive
 * (restore_command). Undefined when the spec makes this cluster the primary of its group.
 */
export async function standbyContext(
  lc: LocalCluster,
  spec: ClusterSpec,
): Promise<StandbyContext | undefined> {
  if (!isReplicaCluster(spec)) return undefined;
  const r = spec.replica!;
  if (r.source.host !== undefined) return externalStandby(lc, spec);
  const source = sourceCluster(lc, spec);
  const conf = replicaRestoreConf(lc);
  const archive = r.via !== 'streaming' && existsSync(conf) ? conf : undefined;
  let endpoint: { host: string; port: number } | undefined;
  if (r.via !== 'archive') {
    writeSourceWatch(lc, sourceApiUrls(source));
    const leader = await leaderOf(sourceApiUrls(source));
    if (leader?.host && leader.port) endpoint = { host: leader.host, port: leader.port };
    else {
      // The source answers no more (its site is down): keep following the address last rendered.
      const slot = source.record.slots[0] ?? 1;
      const m = memberRuntime(source.lc, slot);
      endpoint = { host: m.postgres.host, port: m.postgres.port };
    }
  }
  const stanza = r.source.cluster as string;
  return {
    ...(endpoint ?? {}),
    ...(r.applyDelay !== undefined ? { applyDelay: r.applyDelay } : {}),
    ...(archive
      ? {
          restoreCommand: `pgbackrest --config=${archive} --stanza=${stanza} archive-get %f "%p"`,
          restoreMethod: {
            name: REPLICA_RESTORE_METHOD,
            command: `pgbackrest --config=${archive} --stanza=${stanza} --delta restore`,
          },
        }
      : {}),
    createReplicaMethods: [
      ...(archive ? [REPLICA_RESTORE_METHOD] : []),
      ...(r.via !== 'archive' ? ['basebackup'] : []),
    ],
  };
}

/** Where the standby leader's source watch probes the source (its members' REST API): written by `up`. */
function writeSourceWatch(lc: LocalCluster, apiUrls: string[]): void {
  const text = `${JSON.stringify({ apiUrls })}\n`;
  if (existsSync(lc.paths.sourceWatch) && readFileSync(lc.paths.sourceWatch, 'utf8') === text) return;
  writeFileAtomic(lc.paths.sourceWatch, text, 0o644);
  giveTo(lc.user, lc.paths.sourceWatch);
}

/** The newest record any member's source watch left (the standby leader writes it; it may have moved). */
export function latestSourcePosition(lc: LocalCluster): SourcePosition | undefined {
  let latest: SourcePosition | undefined;
  const members = existsSync(lc.paths.membersDir) ? readdirSync(lc.paths.membersDir) : [];
  for (const member of members) {
    try {
      const r = JSON.parse(readFileSync(lc.paths.member(member).sourcePosition, 'utf8')) as {
        sourceCluster?: string | null;
        sourceMember: string;
        sourceLocation: number;
        heardAt: number;
        receivedLocation: number | null;
        firstFailedAt?: number | null;
        silentFrom: number | null;
      };
      const record: SourcePosition = {
        sourceCluster: r.sourceCluster ?? null,
        sourceMember: r.sourceMember,
        sourceLocation: r.sourceLocation,
        heardAt: r.heardAt * 1000,
        receivedLocation: r.receivedLocation ?? null,
        firstFailedAt: typeof r.firstFailedAt === 'number' ? r.firstFailedAt * 1000 : null,
        silentFrom: r.silentFrom === null ? null : r.silentFrom * 1000,
      };
      if (!latest || record.heardAt > latest.heardAt) latest = record;
    } catch {
      // none written by this member
    }
  }
  return latest;
}
