/**
 * Waiting until pods see a Secret's new content: the kubelet refreshes a mounted Secret on its own
 * schedule (up to its sync period, a minute by default), so a check run right after `up` changed a
 * key could still read the old file. Compared by SHA-256, read with `sha256sum` in the pod.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { ActionError } from '../../errors';
import { execInPod } from './exec';

export interface MountedFile {
  pod: string;
  container: string;
  path: string;
  /** Hex SHA-256 of the content the pod must see. */
  digest: string;
}

const POLL_MS = 2000;

async function seen(config: KubeConfig, namespace: string, file: MountedFile): Promise<string> {
  const r = await execInPod(
    config,
    { namespace, pod: file.pod, container: file.container },
    ['sha256sum', file.path],
    30_000,
  ).catch((e: Error) => ({ code: 1, stdout: '', stderr: e.message }));
  return r.code === 0 ? (r.stdout.split(/\s/)[0] ?? '') : `(unreadable: ${r.stderr.trim()})`;
}

/** Resolves once every file has its digest in its pod; fails after timeoutMs naming the pods still behind. */
export async function waitMountedFiles(
  config: KubeConfig,
  namespace: string,
  files: readonly MountedFile[],
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let behind = [...files];
  for (;;) {
    const digests = await Promise.all(behind.map((f) => seen(config, namespace, f)));
    behind = behind.filter((f, i) => digests[i] !== f.digest);
    if (behind.length === 0) return;
    if (Date.now() > deadline)
      throw new ActionError(
        `${what}: after ${Math.round(timeoutMs / 1000)} s ${behind.map((f) => `pod ${f.pod} still sees an older ${f.path}`).join(', ')} (the kubelet refreshes a mounted Secret on its sync period)`,
      );
    await sleep(POLL_MS);
  }
}
