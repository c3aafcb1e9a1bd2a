/**
 * Reads what diagnosis.ts judges: the cluster's pods and claims (Patroni's scope label), their
 * events, the storage classes, and the last log lines of a container that keeps restarting.
 */
import { AppsV1Api, CoreV1Api, KubeConfig, StorageV1Api, type CoreV1Event } from '@kubernetes/client-node';
import { diagnose, LOG_TAIL_LINES, type Finding, type Observed } from './diagnosis';

const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

function eventsByObject(events: CoreV1Event[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const time = (e: CoreV1Event) =>
    new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? 0).getTime();
  for (const e of [...events].sort((a, b) => time(a) - time(b))) {
    const key = `${e.involvedObject.kind}/${e.involvedObject.name}`;
    out.set(key, [...(out.get(key) ?? []), `${e.reason ?? ''}: ${e.message ?? ''}`.trim()]);
  }
  return out;
}

export async function observeCluster(
  config: KubeConfig,
  namespace: string,
  cluster: string,
): Promise<Observed> {
  const core = config.makeApiClient(CoreV1Api);
  const storage = config.makeApiClient(StorageV1Api);
  // The members and the pooler (and the members' claims) all carry the instance label.
  const labelSelector = `app.kubernetes.io/instance=${cluster}`;
  const [pods, claims, events, classes] = await Promise.all([
    core.listNamespacedPod({ namespace, labelSelector }),
    core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector }),
    core.listNamespacedEvent({ namespace }),
    storage.listStorageClass(),
  ]);
  const byObject = eventsByObject(events.items);
  const observedPods = await Promise.all(
    pods.items.map(async (pod) => {
      const name = pod.metadata?.name ?? '';
      const containers = await Promise.all(
        (pod.status?.containerStatuses ?? []).map(async (c) => {
          const lastLog =
            c.restartCount >= 1
              ? await core
                  .readNamespacedPodLog({
                    name,
                    namespace,
                    container: c.name,
                    previous: true,
                    tailLines: LOG_TAIL_LINES,
                  })
                  .catch(() => undefined)
              : undefined;
          return {
            name: c.name,
            waitingReason: c.state?.waiting?.reason,
            waitingMessage: c.state?.waiting?.message,
            restartCount: c.restartCount,
            lastLog: typeof lastLog === 'string' ? lastLog : undefined,
          };
        }),
      );
      const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
      return {
        name,
        phase: pod.status?.phase,
        unschedulable: scheduled?.status === 'False' ? scheduled.message : undefined,
        containers,
        events: byObject.get(`Pod/${name}`) ?? [],
      };
    }),
  );
  return {
    pods: observedPods,
    claims: claims.items.map((c) => ({
      name: c.metadata?.name ?? '',
      phase: c.status?.phase,
      storageClassName: c.spec?.storageClassName,
      events: byObject.get(`PersistentVolumeClaim/${c.metadata?.name}`) ?? [],
    })),
    storageClasses: classes.items.map((c) => c.metadata?.name ?? ''),
    defaultStorageClass: classes.items.find(
      (c) => c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true',
    )?.metadata?.name,
  };
}

/** A background watch: `fatal()` and `all()` give the latest findings, refreshed every `everyMs`. */
export function watchFindings(config: KubeConfig, namespace: string, cluster: string, everyMs = 3000) {
  let latest: Finding[] = [];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      latest = diagnose(await observeCluster(config, namespace, cluster));
    } catch (e) {
      latest = [{ fatal: false, message: `could not read the pods and claims: ${(e as Error).message}` }];
    }
    if (!stopped) timer = setTimeout(tick, everyMs);
  };
  void tick();
  return {
    fatal: () => latest.filter((f) => f.fatal).map((f) => f.message),
    all: () => latest.map((f) => f.message),
    refresh: tick,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/**
 * Polls `read` every 500 ms until it returns true (done) or a string (why not yet), until timeoutMs;
 * `fatal` ends it early with what cannot heal by waiting. `what`: "StatefulSet x", `goal`: the
 * state waited for, in both messages.
 */
async function waitUntil(
  what: string,
  goal: { cannot: string; not: string },
  timeoutMs: number,
  fatal: () => string[],
  read: () => Promise<true | string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not read yet';
  while (Date.now() < deadline) {
    const problems = fatal();
    if (problems.length > 0)
      throw new Error(`${what} ${goal.cannot}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    try {
      const state = await read();
      if (state === true) return;
      last = state;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} ${goal.not} after ${Math.round(timeoutMs / 1000)} s: ${last}`);
}

/** Waits until a Deployment has as many available replicas as it wants; `fatal` ends it early. */
export async function waitDeploymentAvailable(
  config: KubeConfig,
  namespace: string,
  name: string,
  timeoutMs: number,
  fatal: () => string[],
): Promise<void> {
  const apps = config.makeApiClient(AppsV1Api);
  await waitUntil(
    `Deployment ${name}`,
    { cannot: 'cannot become available', not: 'not available' },
    timeoutMs,
    fatal,
    async () => {
      const d = await apps.readNamespacedDeployment({ name, namespace });
      const want = d.spec?.replicas ?? 1;
      const available = d.status?.availableReplicas ?? 0;
      if (available >= want && (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0))
        return true;
      return `${available} of ${want} replicas available`;
    },
  );
}

/**
 * Waits until the StatefulSet runs its current template on every replica, all ready (what the
 * provider's own await checked): after an update, the members are the new ones before readiness looks at them.
 * `fenced` members are never Ready (no PostgreSQL runs there): that many may be not ready.
 */
export async function waitStatefulSetRolledOut(
  config: KubeConfig,
  namespace: string,
  name: string,
  timeoutMs: number,
  fatal: () => string[],
  fenced = 0,
): Promise<void> {
  const apps = config.makeApiClient(AppsV1Api);
  await waitUntil(
    `StatefulSet ${name}`,
    { cannot: 'cannot roll out', not: 'not rolled out' },
    timeoutMs,
    fatal,
    async () => {
      const s = await apps.readNamespacedStatefulSet({ name, namespace });
      const want = s.spec?.replicas ?? 1;
      const st = s.status;
      if (
        (st?.observedGeneration ?? 0) >= (s.metadata?.generation ?? 0) &&
        (st?.updatedReplicas ?? 0) >= want &&
        (st?.readyReplicas ?? 0) >= want - fenced &&
        (st?.replicas ?? 0) === want &&
        (st?.currentRevision === st?.updateRevision || st?.updateRevision === undefined)
      )
        return true;
      return `${st?.updatedReplicas ?? 0} of ${want} replicas on the current template, ${st?.readyReplicas ?? 0} ready${fenced ? ` (${fenced} fenced, not ready)` : ''}`;
    },
  );
}

/** Waits until no pod matches the selector (a hibernated cluster's members and pooler). */
export async function waitPodsGone(
  config: KubeConfig,
  namespace: string,
  selector: Record<string, string>,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const core = config.makeApiClient(CoreV1Api);
  const labelSelector = Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  await waitUntil(
    what,
    { cannot: 'cannot stop', not: 'still running' },
    timeoutMs,
    () => [],
    async () => {
      const pods = (await core.listNamespacedPod({ namespace, labelSelector })).items;
      if (pods.length === 0) return true;
      return `${pods.length} pod(s) left: ${pods.map((p) => p.metadata?.name).join(', ')}`;
    },
  );
}
