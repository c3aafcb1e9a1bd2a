/**
 * `platform.kubernetes.kubeconfig` of a PostgresCluster: how the deployer reaches the pods (the
 * readiness, the storage and scale checks, the SQL resources), the same as the cluster's provider.
 * It is taken out of the args before they are validated: it may be an Output unknown at preview (a
 * cloud cluster's kubeconfig), while every other arg on Kubernetes must be known, and it is a
 * secret that no child's spec (kept in the state) may hold. The children get it as a secret input.
 */
import * as pulumi from '@pulumi/pulumi';
import { kubeConfigOf } from '../platform/kubernetes/port-forward';

export interface DeployerKubeconfig {
  /** The kubeconfig's text or file path (a secret); absent: the default kubeconfig. */
  kubeconfig?: pulumi.Output<string>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !pulumi.Output.isInstance(v);

/**
 * The args without platform.kubernetes.kubeconfig; that kubeconfig as given (a value or an Output,
 * for kubeconfigIssue) and as the secret Output the children get.
 */
export function takeKubeconfig(args: Record<string, unknown>): {
  args: Record<string, unknown>;
  given: unknown;
  deployer: DeployerKubeconfig;
} {
  const platform = args.platform;
  if (!isObject(platform) || !isObject(platform.kubernetes) || !('kubeconfig' in platform.kubernetes))
    return { args, given: undefined, deployer: {} };
  const { kubeconfig, ...kubernetes } = platform.kubernetes;
  const rest = { ...args, platform: { ...platform, kubernetes } };
  if (kubeconfig === undefined) return { args: rest, given: undefined, deployer: {} };
  return {
    args: rest,
    given: kubeconfig,
    deployer: { kubeconfig: pulumi.secret(pulumi.output(kubeconfig as pulumi.Input<string>)) },
  };
}

/**
 * What is wrong with a known kubeconfig and context, at construction (so at preview): not text, not
 * a kubeconfig, or a context it does not have. The value itself is never echoed (a secret).
 */
export function kubeconfigIssue(kubeconfig: unknown, context: string | undefined): string | undefined {
  if (pulumi.Output.isInstance(kubeconfig)) return undefined; // checked by the children once known
  if (kubeconfig !== undefined && (typeof kubeconfig !== 'string' || kubeconfig.trim() === ''))
    return "platform.kubernetes.kubeconfig is not allowed: a kubeconfig's text or its file's path (absent: the default kubeconfig)";
  if (kubeconfig === undefined && context === undefined) return undefined;
  try {
    kubeConfigOf(kubeconfig as string | undefined, context);
    return undefined;
  } catch (e) {
    const message = (e as Error).message;
    if (message.startsWith('platform.kubernetes.context')) return message;
    return message.startsWith('no kubeconfig file at')
      ? `platform.kubernetes.kubeconfig: ${message} (a kubeconfig's text, or its file's path)`
      : `platform.kubernetes.kubeconfig is not allowed: it is not a kubeconfig's text nor the path of a kubeconfig file (${message.split('\n')[0]})`;
  }
}
