/**
 * `replica` on Kubernetes: the standby_cluster a replica cluster's standby leader follows (the
 * source's address, streaming, a base backup to start) and where its members read the source's
 * credentials (`replica.source.secret`, by secretKeyRef). Pure.
 */
import type { ClusterSpec } from '../../spec/cluster';
import { isReplicaCluster } from '../../spec/replica';
import type { StandbyContext } from '../context';

/**
 * The keys of replica.source.secret: the passwords of the source's roles the copy's members log in
 * as (its replication role, pg_rewind's). Never the superuser's: the replica cluster's superuser
 * logs in by peer over the pods' sockets and by its own client certificate over TCP.
 */
export const REPLICA_SOURCE_KEYS = {
  replication: 'replication-password',
  rewind: 'rewind-password',
} as const;

/** The Secret the members read their role passwords from: the source's while `replica` is declared. */
export function replicaCredentialsSecret(spec: ClusterSpec): string | undefined {
  return spec.platform.kubernetes ? spec.replica?.source.secret : undefined;
}

/** The standby_cluster of a replica cluster (undefined: this cluster is a primary cluster). */
export function kubernetesStandby(spec: ClusterSpec): StandbyContext | undefined {
  if (!isReplicaCluster(spec)) return undefined;
  const source = spec.replica!.source;
  return { host: source.host as string, port: source.port, createReplicaMethods: ['basebackup'] };
}
