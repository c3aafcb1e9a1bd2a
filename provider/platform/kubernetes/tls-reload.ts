/**
 * New certificates in the `<name>-tls` Secret, read without a restart: once every member pod and
 * every pooler pod sees the server certificate `up` issued (the kubelet refreshes a mounted Secret on
 * its sync period), PostgreSQL is reloaded (pg_ctl reload: it re-reads ssl_cert_file and
 * ssl_key_file), Patroni too (SIGHUP to the container's first process, k8s-member.py, which passes it on: its REST API serves a
 * certificate whose serial changed on disk) and PgBouncer (SIGHUP: it re-reads its TLS files). The
 * commands hold no secret.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ClusterSpec } from '../../spec/cluster';
import { ActionError } from '../../errors';
import { DATA_MOUNT, postgresBinDir } from '../../render/kubernetes/patroni-config';
import { poolerSelector } from '../../render/kubernetes/labels';
import { TLS_KEYS, TLS_MOUNT } from '../../render/kubernetes/tls';
import { execInPod } from './exec';
import { waitMountedFiles } from './mounted';

const SERVER_CERT = `${TLS_MOUNT}/${TLS_KEYS.serverCert}`;

async function poolerPods(config: KubeConfig, namespace: string, cluster: string): Promise<string[]> {
  const labelSelector = Object.entries(poolerSelector(cluster))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const pods = await config.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector });
  return pods.items
    .filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp)
    .map((p) => p.metadata?.name as string);
}

async function run(
  config: KubeConfig,
  target: { namespace: string; pod: string; container: string },
  command: string[],
): Promise<void> {
  const r = await execInPod(config, target, command, 30_000);
  if (r.code !== 0)
    throw new ActionError(
      `reloading the certificates in pod ${target.pod}: ${r.stderr.trim() || `exit ${r.code}`}`,
    );
}

/** Waits for `digest` (the server certificate's SHA-256) in every pod, then reloads them. Returns the pods. */
export async function reloadCertificates(
  config: KubeConfig,
  spec: ClusterSpec,
  members: readonly string[],
  digest: string,
  timeoutMs: number,
): Promise<string[]> {
  const namespace = spec.platform.kubernetes!.namespace;
  const poolers = spec.pooler.enabled ? await poolerPods(config, namespace, spec.name) : [];
  await waitMountedFiles(
    config,
    namespace,
    [
      ...members.map((pod) => ({ pod, container: 'postgres', path: SERVER_CERT, digest })),
      ...poolers.map((pod) => ({ pod, container: 'pgbouncer', path: SERVER_CERT, digest })),
    ],
    timeoutMs,
    'the new server certificate',
  );
  const pgCtl = `${postgresBinDir(spec.postgresVersion)}/pg_ctl`;
  for (const pod of members) {
    await run(config, { namespace, pod, container: 'postgres' }, [
      pgCtl,
      'reload',
      '-D',
      `${DATA_MOUNT}/pgdata`,
    ]);
    // Patroni is the postgres container's first process (the image's CMD, or exec'd by the shell).
    await run(config, { namespace, pod, container: 'postgres' }, ['sh', '-c', 'kill -HUP 1']);
  }
  for (const pod of poolers)
    await run(config, { namespace, pod, container: 'pgbouncer' }, ['sh', '-c', 'kill -HUP 1']);
  return [...members, ...poolers];
}
