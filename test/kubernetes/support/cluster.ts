/**
 * The one way tests get the single-node Kubernetes of tools/kubernetes: `kubernetesCluster()` starts
 * it (tools/kubernetes/up.sh, which imports our images; a running one is reused) and returns its
 * admin kubeconfig, kubectl and an API client. Needs `npm run tools:kubernetes` and the image
 * (`npm run image`). The suite runner (scripts/run-tests.mjs kubernetes) tears it down after.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ROOT } from '../../helpers/cli';

const run = promisify(execFile);

/** KEY=VALUE lines of tools/kubernetes/paths.sh. */
export const PATHS: Readonly<Record<string, string>> = Object.fromEntries(
  execFileSync('bash', [join(ROOT, 'tools', 'kubernetes', 'paths.sh')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

export const KUBECTL = join(PATHS.KUBERNETES_BIN as string, 'kubectl');
/** The image of PostgreSQL 15 (Debian bookworm), which the tests' clusters run. */
export const IMAGE_TAR = PATHS.IMAGE_TAR_BOOKWORM as string;
export const IMAGE_NAME = PATHS.IMAGE_NAME_BOOKWORM as string;

/** What is not built, or false: tools/kubernetes's binaries, the provider plugin and the image. */
export function kubernetesMissing(): string | false {
  const needed = [
    join(PATHS.KUBERNETES_BIN as string, 'kube-apiserver'),
    join(PATHS.PROVIDER_BIN as string, 'pulumi-resource-kubernetes'),
    join(PATHS.COREDNS_BIN as string, 'coredns'),
    join(PATHS.LOCAL_PATH_BIN as string, 'local-path-provisioner'),
    IMAGE_TAR,
  ];
  const missing = needed.filter((f) => !existsSync(f));
  return missing.length > 0
    ? `not built: ${missing.join(', ')} (npm run tools:kubernetes && npm run image)`
    : false;
}

export interface Cluster {
  kubeconfig: string;
  /** The kubeconfig's text (for the dynamic resources' port-forwards, and our own). */
  kubeconfigText: string;
  config: KubeConfig;
  core: CoreV1Api;
  /** Runs kubectl with the admin kubeconfig; fails with its stderr unless it exits 0. */
  kubectl: (args: string[], input?: string) => Promise<string>;
}

let cluster: Promise<Cluster> | undefined;

export function kubernetesCluster(): Promise<Cluster> {
  cluster ??= start();
  return cluster;
}

async function start(): Promise<Cluster> {
  const missing = kubernetesMissing();
  if (missing) throw new Error(missing);
  const { stdout } = await run('bash', [join(ROOT, 'tools', 'kubernetes', 'up.sh')], {
    env: { ...process.env, PGCLUSTER_K8S_IMAGES: process.env.PGCLUSTER_K8S_IMAGES ?? IMAGE_TAR },
    maxBuffer: 16 << 20,
  });
  const kubeconfig = stdout.trim().split('\n').pop() as string;
  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);
  const kubectl = async (args: string[], input?: string) => {
    const child = run(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { maxBuffer: 64 << 20 });
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    try {
      return (await child).stdout;
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`kubectl ${args.join(' ')}: ${err.stderr || err.message}`);
    }
  };
  return {
    kubeconfig,
    kubeconfigText: readFileSync(kubeconfig, 'utf8'),
    config,
    core: config.makeApiClient(CoreV1Api),
    kubectl,
  };
}
