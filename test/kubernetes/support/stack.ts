/**
 * examples/kubernetes as a stack of the real engine (tools/pulumi) on the single-node cluster: the
 * acceptance tests' sandbox and staged project, plus what the kubernetes platform needs — the
 * pulumi-resource-kubernetes plugin built by tools/kubernetes first on PATH (never downloaded),
 * @pulumi/kubernetes linked into the project, and KUBECONFIG naming the cluster.
 */
import { symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ROOT } from '../../helpers/cli';
import { engineMissing, engineSandbox, type Sandbox } from '../../acceptance/support/engine';
import { stageProject, type Project } from '../../acceptance/support/program';
import { PATHS, type Cluster } from './cluster';

export interface KubernetesStack {
  sandbox: Sandbox;
  project: Project;
  /** `pulumi stack output --json`. */
  outputs: () => Promise<Record<string, unknown>>;
  remove: () => void;
  /**
   * Cleanup for a file whose test is not the destroy: deletes the stack's namespaces without waiting
   * (the node deletes their objects, pods and claims in the background; the node itself goes at the
   * end of the run), then removes the project. `pulumi destroy` waits for every object in turn,
   * which cost each file tens of seconds; example.test and backup.test keep testing destroy itself.
   */
  discard: (namespaces: string[]) => Promise<void>;
}

export function stackMissing(): string | false {
  return engineMissing();
}

export async function kubernetesStack(
  cluster: Cluster,
  label: string,
  config: Record<string, string> = {},
  /** The program, relative to examples/ (default: examples/kubernetes). */
  example = 'kubernetes',
): Promise<KubernetesStack> {
  const sandbox = engineSandbox(label, `kubernetes-${label}`);
  sandbox.env.PATH = [PATHS.PROVIDER_BIN, sandbox.env.PATH].join(delimiter);
  sandbox.env.KUBECONFIG = cluster.kubeconfig;
  const project = stageProject(join(ROOT, 'examples', example), sandbox);
  symlinkSync(
    join(ROOT, 'node_modules', '@pulumi', 'kubernetes'),
    join(project.dir, 'node_modules', '@pulumi', 'kubernetes'),
  );
  const remove = () => {
    project.remove();
    sandbox.cleanup();
  };
  await project.pulumiOk(['stack', 'init', 'dev']);
  for (const [key, value] of Object.entries(config)) await project.pulumiOk(['config', 'set', key, value]);
  return {
    sandbox,
    project,
    outputs: async () =>
      JSON.parse(await project.pulumiOk(['stack', 'output', '--json', '--show-secrets'])) as Record<
        string,
        unknown
      >,
    remove,
    discard: async (namespaces) => {
      for (const ns of namespaces)
        await cluster.kubectl(['delete', 'namespace', ns, '--ignore-not-found', '--wait=false']);
      remove();
    },
  };
}
