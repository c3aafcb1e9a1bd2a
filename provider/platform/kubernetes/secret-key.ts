/**
 * One key of a Secret, read through the Kubernetes API (the deployer at up, the CLI): waited for
 * while the Secret or the key is absent (a program may write it in the same `up`). Never logged.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { sleep } from '../../util/sleep';

export async function readSecretKey(
  config: KubeConfig,
  ref: { namespace: string; name: string; key: string },
  timeoutMs: number,
): Promise<string> {
  const core = config.makeApiClient(CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  let why = '';
  for (;;) {
    try {
      const secret = await core.readNamespacedSecret({ name: ref.name, namespace: ref.namespace });
      const value = secret.data?.[ref.key];
      if (value !== undefined) return Buffer.from(value, 'base64').toString('utf8');
      why = `it has no key ${ref.key} (keys: ${Object.keys(secret.data ?? {}).join(', ') || 'none'})`;
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
      why = 'it does not exist';
    }
    if (Date.now() > deadline)
      throw new Error(
        `Secret ${ref.namespace}/${ref.name} (replica.source.secret): ${why} after ${Math.round(timeoutMs / 1000)} s`,
      );
    await sleep(1000);
  }
}
