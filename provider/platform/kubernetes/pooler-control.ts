/**
 * The PgBouncer pods steered around a planned switchover, as the local pooler is: every ready pod's
 * admin console (through a port-forward) is PAUSEd, so running transactions finish and new ones
 * wait; once the `-rw` Service's endpoints are the new primary alone, each pod drops its idle server
 * connections to the old one (RECONNECT), re-reads its configuration (RELOAD: the pool mode a
 * loosen changed) and RESUMEs. The pods' target never changes: it is the `-rw` Service.
 */
import { CoreV1Api, DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ClusterSpec } from '../../spec/cluster';
import { kubernetesNames, POOLER_ADMIN_USER } from '../../naming';
import { poolerSelector } from '../../render/kubernetes/labels';
import { PG_PORT } from '../../render/kubernetes/patroni-config';
import type { PauseResult, PoolerControl } from '../types';
import { PoolerAdmin } from '../pooler-admin';
import { sleep } from '../../util/sleep';

// Under load the old primary's Patroni relabels its pod (role) a loop or two late: a minute.
const ENDPOINTS_TIMEOUT_MS = 60_000;

const selectorOf = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** The pooler pods that serve now: Ready, not being deleted. */
async function readyPoolerPods(core: CoreV1Api, namespace: string, cluster: string): Promise<string[]> {
  const pods = await core.listNamespacedPod({
    namespace,
    labelSelector: selectorOf(poolerSelector(cluster)),
  });
  return pods.items
    .filter((p) => !p.metadata?.deletionTimestamp)
    .filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((p) => p.metadata?.name ?? '')
    .filter((n) => n !== '');
}

/** Waits until the Service's ready endpoints are exactly the pod's address. */
async function waitServiceOn(
  config: KubeConfig,
  namespace: string,
  service: string,
  pod: string,
): Promise<void> {
  const core = config.makeApiClient(CoreV1Api);
  const discovery = config.makeApiClient(DiscoveryV1Api);
  const deadline = Date.now() + ENDPOINTS_TIMEOUT_MS;
  let seen = 'not read yet';
  while (Date.now() < deadline) {
    const ip = (await core.readNamespacedPod({ name: pod, namespace })).status?.podIP;
    const slices = await discovery.listNamespacedEndpointSlice({
      namespace,
      labelSelector: `kubernetes.io/service-name=${service}`,
    });
    const ready = slices.items.flatMap((s) =>
      (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses),
    );
    if (ip && ready.length === 1 && ready[0] === ip) return;
    seen = ready.join(', ') || 'none';
    await sleep(100);
  }
  throw new Error(
    `Service ${service} does not point at ${pod} alone after ${ENDPOINTS_TIMEOUT_MS / 1000} s (ready endpoints: ${seen})`,
  );
}

export function kubernetesPoolerControl(
  config: KubeConfig,
  spec: ClusterSpec,
  poolerAdminPassword: string,
  /** A local port forwarded to the pod's port. */
  forward: (pod: string, port: number) => Promise<number>,
  /** Under tls: the CA (the pods' certificate names 127.0.0.1, where the port-forward listens). */
  caCert?: string,
): PoolerControl {
  const namespace = spec.platform.kubernetes!.namespace;
  const core = config.makeApiClient(CoreV1Api);
  let admins: PoolerAdmin[] | undefined;
  const consoles = async (): Promise<PoolerAdmin[]> => {
    if (admins) return admins;
    const pods = await readyPoolerPods(core, namespace, spec.name);
    admins = await Promise.all(
      pods.map(
        async (pod) =>
          new PoolerAdmin(
            { host: '127.0.0.1', port: await forward(pod, PG_PORT) },
            { user: POOLER_ADMIN_USER, password: poolerAdminPassword },
            caCert ? { ca: caCert } : undefined,
          ),
      ),
    );
    return admins;
  };
  return {
    loosen: async () => {
      if (spec.pooler.poolMode !== 'session' || !spec.pooler.carrySessions) return;
      await Promise.all((await consoles()).map((a) => a.run("SET pool_mode = 'transaction'")));
    },
    pause: async (timeoutMs): Promise<PauseResult> => {
      const started = Date.now();
      const results = await Promise.all((await consoles()).map((a) => a.pause(timeoutMs)));
      return {
        complete: results.every((r) => r.complete),
        ms: Date.now() - started,
        busy: results.some((r) => r.busy < 0) ? -1 : results.reduce((n, r) => n + r.busy, 0),
      };
    },
    resumeAt: async (member) => {
      try {
        await waitServiceOn(config, namespace, kubernetesNames(spec.name).rw, member);
      } finally {
        // Resumed whatever happened: clients never stay held.
        await Promise.all((await consoles()).map((a) => a.reloadAndResume({ reconnect: true })));
      }
    },
  };
}
