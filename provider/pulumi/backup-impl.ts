/** The Backup resource's CRUD, run inside the dynamic-provider host: the same takeBackup as the CLI. */
import type * as pulumi from '@pulumi/pulumi';
import { BACKUP_TYPES, type BackupType } from '../spec/backup';
import { DNS_1035_LABEL } from '../spec/cluster';
import { LocalPlatform } from '../platform/local';
import { defaultStateDir } from '../platform/local/state-dir';
import { listBackups, takeBackup } from '../actions/backup';
import type { BackupInfo } from '../backup/info';
import { silentReporter } from '../report/reporter';
import { InputError } from '../errors';
import type { ClusterSpec } from '../spec/cluster';
import type { ClusterAccess } from '../platform/types';

interface Props {
  cluster: string;
  stateDir?: string;
  kubernetes?: { namespace: string; context?: string; kubeconfig?: string };
  type: BackupType;
  trigger?: string;
}

interface Found {
  spec: ClusterSpec;
  access: ClusterAccess;
  close: () => Promise<void>;
}

function outputs(props: Props, b: BackupInfo) {
  return {
    ...props,
    label: b.label,
    backupType: b.type,
    lsnStart: b.lsnStart,
    lsnStop: b.lsnStop,
    size: b.size,
    repoSize: b.repoSize,
    startedAt: b.startedAt,
    stoppedAt: b.stoppedAt,
  };
}

/** The cluster, on Kubernetes (read from its objects) or in a local state dir; undefined: not there. */
async function findCluster(props: Props): Promise<Found | undefined> {
  if (props.kubernetes) {
    const { KubernetesCliPlatform } = await import('../platform/kubernetes/cli-platform');
    const platform = new KubernetesCliPlatform({
      namespace: props.kubernetes.namespace,
      context: props.kubernetes.context,
      kubeconfigContent: props.kubernetes.kubeconfig,
    });
    try {
      const { spec } = await platform.spec(props.cluster);
      return { spec, access: await platform.access(props.cluster), close: () => platform.close() };
    } catch (e) {
      await platform.close();
      if (e instanceof InputError) return undefined;
      throw e;
    }
  }
  const platform = new LocalPlatform(props.stateDir ?? defaultStateDir());
  const runtime = await platform.runtime(props.cluster);
  if (!runtime.exists || !runtime.spec) return undefined;
  return { spec: runtime.spec, access: await platform.access(props.cluster), close: async () => undefined };
}

async function clusterOf(props: Props): Promise<Found> {
  const found = await findCluster(props);
  if (!found)
    throw new Error(
      `Backup: no cluster named "${props.cluster}" ${
        props.kubernetes
          ? `in namespace ${props.kubernetes.namespace}`
          : `in ${props.stateDir ?? defaultStateDir()}`
      }`,
    );
  return found;
}

export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const type = news.type ?? 'full';
  if (typeof news.cluster === 'string' && !DNS_1035_LABEL.test(news.cluster))
    failures.push({
      property: 'cluster',
      reason: `cluster: ${JSON.stringify(news.cluster)} is not a cluster name`,
    });
  if (!(BACKUP_TYPES as readonly string[]).includes(type))
    failures.push({
      property: 'type',
      reason: `type: ${JSON.stringify(type)} is not allowed: must be one of ${BACKUP_TYPES.join(', ')}`,
    });
  return failures.length ? { failures } : { inputs: { ...news, type } };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const replaces = (['cluster', 'stateDir', 'type', 'trigger'] as const).filter((k) => olds[k] !== news[k]);
  if (JSON.stringify(olds.kubernetes ?? null) !== JSON.stringify(news.kubernetes ?? null))
    replaces.push('kubernetes' as never);
  return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
}

export async function create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
  const { spec, access, close } = await clusterOf(inputs);
  try {
    const made = await takeBackup(spec, access, inputs.type, silentReporter);
    return { id: `${inputs.cluster}/${made.label}`, outs: outputs(inputs, made) };
  } finally {
    await close();
  }
}

/** A backup that retention expired is gone: refresh drops the resource. */
export async function read(
  id: string,
  props: Props & { label?: string },
): Promise<pulumi.dynamic.ReadResult> {
  const cluster = await findCluster(props);
  if (!cluster) return { id: undefined as unknown as string, props: {} };
  try {
    const found = (await listBackups(cluster.spec, cluster.access)).backups.find(
      (b) => b.label === props.label,
    );
    return found ? { id, props: outputs(props, found) } : { id: undefined as unknown as string, props: {} };
  } finally {
    await cluster.close();
  }
}

export async function update(_id: string, _olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  return { outs: news };
}

/** Nothing to do: the repository keeps backups until the cluster's retention expires them. */
export async function remove(): Promise<void> {}
