/**
 * The CLI's Kubernetes target, light to load: `--kubeconfig F --context C --namespace N` on status,
 * switchover, psql, uri, certificate, backup and backups (and `logs`, Kubernetes only), like `kubectl cnpg`. Any
 * of them selects the cluster on Kubernetes; without them the commands act on the local platform.
 * What runs against Kubernetes is in ./kubernetes, imported only when a target is given.
 */
import { Option, type Command } from 'commander';
import { InputError } from '../errors';
import type { KubernetesTarget } from '../platform/kubernetes/cli-platform';

export interface TargetOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

/** Adds the Kubernetes target options to a command. */
export function withKubernetesTarget(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--kubeconfig <file>',
        'a cluster on Kubernetes: its kubeconfig (default: KUBECONFIG, ~/.kube/config)',
      ),
    )
    .addOption(new Option('--context <name>', 'a cluster on Kubernetes: the kubeconfig context'))
    .addOption(
      new Option('-n, --namespace <ns>', 'a cluster on Kubernetes: its namespace (default: default)'),
    );
}

/** The commands that take the Kubernetes target (besides `logs`). */
export const KUBERNETES_COMMANDS = [
  'status',
  'switchover',
  'uri',
  'psql',
  'certificate',
  'backup',
  'backups',
  'fence',
  'unfence',
];

/** The Kubernetes target, when any of its options is given. */
export function kubernetesTarget(options: object): KubernetesTarget | undefined {
  const opts = options as TargetOptions;
  if (opts.kubeconfig === undefined && opts.context === undefined && opts.namespace === undefined)
    return undefined;
  return { kubeconfig: opts.kubeconfig, context: opts.context, namespace: opts.namespace ?? 'default' };
}

export function addLogsCommand(
  program: Command,
  local: (
    cmd: Command,
    name: string,
    opts: { member?: string; tail: number; follow: boolean },
  ) => Promise<void>,
): void {
  withKubernetesTarget(
    program
      .command('logs')
      .description('the last lines of every member (its Patroni and PostgreSQL logs; pods on Kubernetes)')
      .argument('<name>', 'cluster name')
      .argument('[member]', 'only this member')
      .option('--member <pod>', 'only this member')
      .option('--tail <lines>', 'lines per member', '50')
      .option('-f, --follow', 'keep printing what is appended (local clusters)'),
  ).action(
    async (
      name: string,
      positional: string | undefined,
      opts: TargetOptions & { member?: string; tail: string; follow?: boolean },
      cmd: Command,
    ) => {
      const tail = Number(opts.tail);
      if (!Number.isInteger(tail) || tail < 1)
        throw new InputError(`--tail ${opts.tail}: must be a whole number >= 1`);
      const member = positional ?? opts.member;
      const target = kubernetesTarget(opts);
      if (!target)
        return local(cmd, name, { ...(member ? { member } : {}), tail, follow: opts.follow === true });
      const { kubernetesLogs } = await import('./kubernetes');
      process.stdout.write(await kubernetesLogs(target, name, { member, tail }));
    },
  );
}
