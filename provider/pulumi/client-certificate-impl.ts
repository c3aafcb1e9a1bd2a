/**
 * The ClientCertificate resource's CRUD, run inside the dynamic-provider host: the same issuing as
 * `pgcluster certificate` (the cluster's CA signs a client certificate whose CN is the role). Local:
 * the CA of the state dir. Kubernetes: the CLI's own code path (KubernetesCliPlatform), which reads
 * the CA Secret that `<name>-tls` names (`<name>-ca`, or tls.ca.secret's) through the API server and
 * signs here, so the CA's key never enters the Pulumi state.
 */
import type * as pulumi from '@pulumi/pulumi';
import { DNS_1035_LABEL } from '../spec/cluster';
import { LocalPlatform } from '../platform/local';
import { defaultStateDir } from '../platform/local/state-dir';
import { certificateFacts, daysLeft } from '../secrets/x509';

/** A certificate with fewer days left than this is issued again by the next update. */
export const CLIENT_RENEW_BEFORE_DAYS = 30;
const ROLE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** A cluster on Kubernetes: its namespace, the kubeconfig's text (a secret) and context. */
export interface KubernetesInput {
  namespace: string;
  context?: string;
  kubeconfig?: string;
}

interface Props {
  cluster: string;
  stateDir?: string;
  kubernetes?: KubernetesInput;
  user: string;
  days: number;
  trigger?: string;
}

interface Outs extends Props {
  certificate: string;
  privateKey: string;
  ca: string;
  notAfter: string;
}

export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const days = news.days ?? 365;
  if (typeof news.cluster !== 'string' || !DNS_1035_LABEL.test(news.cluster))
    failures.push({
      property: 'cluster',
      reason: `cluster: ${JSON.stringify(news.cluster)} is not a cluster name`,
    });
  if (typeof news.user !== 'string' || !ROLE.test(news.user) || Buffer.byteLength(news.user) > 63)
    failures.push({
      property: 'user',
      reason: `user: ${JSON.stringify(news.user)} is not allowed: a role name of letters, digits, "_", "." and "-", at most 63 bytes`,
    });
  if (!Number.isInteger(days) || days <= CLIENT_RENEW_BEFORE_DAYS)
    failures.push({
      property: 'days',
      reason: `days: ${JSON.stringify(days)} is not allowed: a whole number above ${CLIENT_RENEW_BEFORE_DAYS} (it is renewed ${CLIENT_RENEW_BEFORE_DAYS} days before it expires)`,
    });
  failures.push(...kubernetesFailures(news));
  return failures.length ? { failures } : { inputs: { ...news, days } };
}

const KUBERNETES_KEYS = ['namespace', 'context', 'kubeconfig'];
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `kubernetes`: an object of namespace (a DNS label), context and kubeconfig; not with stateDir. */
function kubernetesFailures(news: Props): pulumi.dynamic.CheckFailure[] {
  const k = news.kubernetes as unknown;
  if (k === undefined || k === null) return [];
  const fail = (property: string, reason: string) => [{ property, reason }];
  if (typeof k !== 'object' || Array.isArray(k))
    return fail(
      'kubernetes',
      `kubernetes: ${JSON.stringify(k)} is not allowed: an object {namespace, context?, kubeconfig?}`,
    );
  if (news.stateDir !== undefined)
    return fail(
      'stateDir',
      `stateDir: ${JSON.stringify(news.stateDir)} is not allowed with kubernetes: a ClientCertificate signs ` +
        'either from a local state dir (stateDir) or from the CA Secret of a cluster on Kubernetes (kubernetes), give one',
    );
  const o = k as Record<string, unknown>;
  const unknown = Object.keys(o).filter((key) => !KUBERNETES_KEYS.includes(key));
  if (unknown.length > 0)
    return fail(
      'kubernetes',
      `kubernetes.${unknown[0]} is not allowed: kubernetes takes ${KUBERNETES_KEYS.join(', ')}`,
    );
  const failures: pulumi.dynamic.CheckFailure[] = [];
  if (typeof o.namespace !== 'string' || !DNS_1123_LABEL.test(o.namespace) || o.namespace.length > 63)
    failures.push({
      property: 'kubernetes',
      reason: `kubernetes.namespace: ${JSON.stringify(o.namespace)} is not allowed: a namespace name (lower-case letters, digits and "-", at most 63)`,
    });
  if (o.context !== undefined && (typeof o.context !== 'string' || o.context === ''))
    failures.push({
      property: 'kubernetes',
      reason: `kubernetes.context: ${JSON.stringify(o.context)} is not allowed: the name of a context of the kubeconfig`,
    });
  if (o.kubeconfig !== undefined && (typeof o.kubeconfig !== 'string' || o.kubeconfig.trim() === ''))
    failures.push({
      property: 'kubernetes',
      // Never the value: it is a secret.
      reason:
        'kubernetes.kubeconfig is not allowed: the text of a kubeconfig (absent: the default kubeconfig)',
    });
  return failures;
}

/** Issued again (replaced) for another cluster, role, validity or trigger, and when it expires soon. */
export async function diff(_id: string, olds: Outs, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const replaces: string[] = (['cluster', 'stateDir', 'user', 'days', 'trigger'] as const).filter(
    (k) => olds[k] !== news[k],
  );
  if (JSON.stringify(olds.kubernetes ?? null) !== JSON.stringify(news.kubernetes ?? null))
    replaces.push('kubernetes');
  if (olds.certificate && daysLeft(olds.certificate) < CLIENT_RENEW_BEFORE_DAYS) replaces.push('certificate');
  return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
}

/** Issued by the cluster's CA: on Kubernetes from its CA Secret (as the CLI does), else locally. */
async function issue(inputs: Props): Promise<{ certificate: string; privateKey: string; ca: string }> {
  if (!inputs.kubernetes) {
    const platform = new LocalPlatform(inputs.stateDir ?? defaultStateDir());
    return platform.clientCertificate(inputs.cluster, inputs.user, inputs.days);
  }
  const { KubernetesCliPlatform } = await import('../platform/kubernetes/cli-platform');
  const platform = new KubernetesCliPlatform({
    namespace: inputs.kubernetes.namespace,
    context: inputs.kubernetes.context,
    kubeconfigContent: inputs.kubernetes.kubeconfig,
  });
  try {
    return await platform.clientCertificate(inputs.cluster, inputs.user, inputs.days);
  } finally {
    await platform.close();
  }
}

export async function create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
  const issued = await issue(inputs);
  const facts = certificateFacts(issued.certificate);
  return {
    id: `${inputs.cluster}/${inputs.user}/${facts.serialNumber}`,
    outs: {
      ...inputs,
      certificate: issued.certificate,
      privateKey: issued.privateKey,
      ca: issued.ca,
      notAfter: facts.notAfter.toISOString(),
    },
  };
}

export async function read(id: string, props: Outs): Promise<pulumi.dynamic.ReadResult> {
  return { id, props };
}

export async function update(_id: string, olds: Outs, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  return { outs: { ...olds, ...news } };
}

/** Nothing to revoke: a certificate stops working when it expires or the cluster's CA changes. */
export async function remove(): Promise<void> {}
