/**
 * bootstrap.pgBasebackup on Kubernetes: the first pod runs the same custom bootstrap as a local
 * member (clone-basebackup.py, pg_basebackup with its WAL). Its configuration, which holds no
 * secret, goes in the Patroni ConfigMap beside the script; the source's password is a line of a
 * pgpass file in a Secret of its own, mounted read-only. libpq ignores a password file that its
 * group can read (which a Secret volume with fsGroup is), so the script copies it to a 0600 file of
 * the pod's /tmp for the copy and removes that copy whatever the outcome.
 */
import type { ClusterSpec } from '../../spec/cluster';
import type { KubernetesNames } from '../../naming';
import { commonLabels } from './labels';
import { pgpassLine } from '../pgpass';
import { CLONE_CONFIG, CLONE_SCRIPT, DATA_MOUNT, postgresBinDir, WAL_MOUNT } from './patroni-config';

export const CLONE_MOUNT = '/etc/pgcluster-clone';
export const CLONE_PASS_KEY = 'pgpass';

/** clone.json of the pods: what pg_basebackup copies from, and where to. */
export function buildCloneConfig(spec: ClusterSpec, withPassword: boolean): Record<string, unknown> {
  const src = spec.bootstrap.pgBasebackup!.source;
  return {
    pgBasebackup: `${postgresBinDir(spec.postgresVersion)}/pg_basebackup`,
    dataDir: `${DATA_MOUNT}/pgdata`,
    ...(spec.storage?.walSize ? { walDir: `${WAL_MOUNT}/pg_wal` } : {}),
    host: src.host,
    port: src.port,
    user: src.user,
    database: src.database,
    sslMode: src.sslMode,
    // Read-only in the pod: copied to a private file for pg_basebackup, never removed from here.
    ...(withPassword ? { passFile: `${CLONE_MOUNT}/${CLONE_PASS_KEY}`, keepPassFile: true } : {}),
  };
}

/** The Secret with the source's password (only when the spec gives one). */
export function buildCloneSecret(
  spec: ClusterSpec,
  namespace: string,
  names: KubernetesNames,
  password: string,
) {
  const src = spec.bootstrap.pgBasebackup!.source;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: names.cloneSecret, namespace, labels: commonLabels(spec.name) },
    type: 'Opaque',
    stringData: { [CLONE_PASS_KEY]: pgpassLine(src.host, src.port, '*', src.user, password) } as Record<
      string,
      string
    >,
  };
}

/** The pod's volume and mount of that Secret. */
export function cloneVolume(names: KubernetesNames) {
  return { name: 'clone', secret: { secretName: names.cloneSecret, defaultMode: 0o400 } };
}

export const cloneMount = { name: 'clone', mountPath: CLONE_MOUNT, readOnly: true };

/** Whether the pods mount the clone Secret: a pgBasebackup source with a password. */
export function clonesWithPassword(spec: ClusterSpec): boolean {
  return spec.bootstrap.pgBasebackup?.source.password !== undefined;
}

/** The ConfigMap entries beside patroni.yml: the clone script (its text given) and its configuration. */
export function cloneConfigFiles(spec: ClusterSpec, script: string): Record<string, string> {
  if (!spec.bootstrap.pgBasebackup) return {};
  return {
    [CLONE_SCRIPT]: script,
    [CLONE_CONFIG]: `${JSON.stringify(buildCloneConfig(spec, clonesWithPassword(spec)), null, 2)}\n`,
  };
}
