/**
 * The `pgcluster` CLI: day-2 commands in the spirit of `kubectl cnpg`, and `up -f spec.yaml` for
 * the local platform. Exit codes: 0 done, 1 failed, 2 invalid input.
 */
import { Command, CommanderError, Option } from 'commander';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseSpecText, SpecError } from '../spec';
import { InputError } from '../errors';
import { LocalPlatform } from '../platform/local';
import { defaultStateDir } from '../platform/local/state-dir';
import { up } from '../actions/up';
import { down, destroy } from '../actions/lifecycle';
import { status } from '../actions/status';
import { switchover } from '../actions/switchover';
import { clusterUris } from '../actions/uri';
import { consoleReporter } from '../report/reporter';
import { renderStatusTable } from './status-table';
import { resolveBackupSecrets, resolvePasswords } from '../secrets/references';
import { registerBackupCommands } from './backup-commands';
import {
  addLogsCommand,
  KUBERNETES_COMMANDS,
  kubernetesPsql,
  kubernetesStatus,
  kubernetesSwitchover,
  kubernetesTarget,
  kubernetesUri,
  withKubernetesTarget,
} from './kubernetes';

function platformFor(cmd: Command): LocalPlatform {
  const opts = cmd.optsWithGlobals<{ stateDir?: string }>();
  return new LocalPlatform(opts.stateDir ?? defaultStateDir());
}

function readSpec(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(
      `-f ${file}: cannot read the spec file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return parseSpecText(text, file);
}

async function specOf(platform: LocalPlatform, name: string) {
  const runtime = await platform.runtime(name);
  if (!runtime.exists || !runtime.spec)
    throw new InputError(`no cluster named "${name}" (see \`pgcluster list\`)`);
  return runtime.spec;
}

export function buildProgram(): Command {
  const program = new Command('pgcluster')
    .description('Highly available PostgreSQL clusters: Patroni, etcd and PgBouncer, declared by a spec')
    .addOption(
      new Option('--state-dir <dir>', 'where local clusters keep data, configs, logs and pids').env(
        'PGCLUSTER_STATE_DIR',
      ),
    )
    .showHelpAfterError()
    .exitOverride();

  program
    .command('up')
    .description('create the cluster, or change it to match the spec (idempotent)')
    .requiredOption('-f, --file <spec>', 'cluster spec, YAML or JSON')
    .action(async (opts: { file: string }, cmd: Command) => {
      const spec = readSpec(opts.file);
      if (!spec.platform.local)
        throw new InputError(
          'platform.kubernetes: the pgcluster CLI runs local clusters; deploy kubernetes clusters with the PostgresCluster Pulumi component',
        );
      const baseDir = dirname(resolve(opts.file));
      const passwords = resolvePasswords(spec, baseDir);
      const inputs = { secrets: resolveBackupSecrets(spec, baseDir), baseDir };
      await up(platformFor(cmd), spec, consoleReporter(), { passwords, inputs });
    });

  program
    .command('status')
    .description('members, roles, lag and endpoints')
    .argument('<name>', 'cluster name')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const k8s = kubernetesTarget(opts);
      if (k8s) return kubernetesStatus(k8s, name, opts.json === true);
      const result = await status(platformFor(cmd), name);
      process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : renderStatusTable(result));
    });

  program
    .command('list')
    .description('clusters in the state dir')
    .action(async (_opts: unknown, cmd: Command) => {
      for (const name of await platformFor(cmd).list()) process.stdout.write(`${name}\n`);
    });

  program
    .command('switchover')
    .description('planned switchover: promote a replica, the primary rejoins as a replica')
    .argument('<name>', 'cluster name')
    .option('--to <member>', 'member to promote (default: Patroni picks the healthiest replica)')
    .action(async (name: string, opts: { to?: string }, cmd: Command) => {
      const k8s = kubernetesTarget(opts);
      if (k8s) return kubernetesSwitchover(k8s, name, opts.to);
      const platform = platformFor(cmd);
      const spec = await specOf(platform, name);
      await switchover(platform, await platform.access(name), spec, opts.to, consoleReporter());
    });

  program
    .command('uri')
    .description('print one libpq connection URI, password included')
    .argument('<name>', 'cluster name')
    .addOption(new Option('--ro', 'a replica (target_session_attrs=standby)').conflicts('pooler'))
    .addOption(new Option('--pooler', 'through PgBouncer'))
    .option('--superuser', 'as the superuser, to the postgres database')
    .action(
      async (name: string, opts: { ro?: boolean; pooler?: boolean; superuser?: boolean }, cmd: Command) => {
        const k8s = kubernetesTarget(opts);
        if (k8s) return void process.stdout.write(`${await kubernetesUri(k8s, name, opts)}\n`);
        process.stdout.write(`${await connectionUri(platformFor(cmd), name, opts)}\n`);
      },
    );

  program
    .command('psql')
    .description('run psql against the cluster (the password goes through the environment)')
    .argument('<name>', 'cluster name')
    .option('--ro', 'connect to a replica')
    .option('--superuser', 'as the superuser')
    .argument('[args...]', 'arguments for psql, after --')
    .action(
      async (name: string, args: string[], opts: { ro?: boolean; superuser?: boolean }, cmd: Command) => {
        const k8s = kubernetesTarget(opts);
        if (k8s) return void (process.exitCode = await kubernetesPsql(k8s, name, args, opts));
        const platform = platformFor(cmd);
        const runtime = await platform.runtime(name);
        if (!runtime.exists) throw new InputError(`no cluster named "${name}" (see \`pgcluster list\`)`);
        const access = await platform.access(name);
        const creds = opts.superuser ? access.superuser() : access.app();
        const uris = clusterUris(runtime.endpoints, creds);
        const result = spawnSync('psql', [opts.ro ? uris.ro : uris.rw, ...args], {
          stdio: 'inherit',
          env: { ...process.env, PGPASSWORD: creds.password },
        });
        if (result.error)
          throw new InputError(`cannot run psql: ${result.error.message} (package postgresql-client)`);
        process.exitCode = result.status ?? 1;
      },
    );

  registerBackupCommands(program, platformFor);

  program
    .command('down')
    .description('stop every process of the cluster, keep its data')
    .argument('<name>', 'cluster name')
    .action(async (name: string, _opts: unknown, cmd: Command) =>
      down(platformFor(cmd), name, consoleReporter()),
    );

  program
    .command('destroy')
    .description('stop the cluster and remove all its files')
    .argument('<name>', 'cluster name')
    .action(async (name: string, _opts: unknown, cmd: Command) =>
      destroy(platformFor(cmd), name, consoleReporter()),
    );

  // --kubeconfig/--context/--namespace: the same commands on a cluster on Kubernetes (cli/kubernetes.ts).
  for (const command of program.commands.filter((c) => KUBERNETES_COMMANDS.includes(c.name())))
    withKubernetesTarget(command);
  addLogsCommand(program);

  return program;
}

export async function connectionUri(
  platform: LocalPlatform,
  name: string,
  opts: { ro?: boolean; pooler?: boolean; superuser?: boolean },
): Promise<string> {
  const runtime = await platform.runtime(name);
  if (!runtime.exists) throw new InputError(`no cluster named "${name}" (see \`pgcluster list\`)`);
  if (opts.pooler && opts.superuser)
    throw new InputError(
      '--pooler --superuser: the pooler serves the application owner only, not the superuser',
    );
  if (opts.pooler && !runtime.endpoints.pooler)
    throw new InputError(`--pooler: cluster "${name}" has no pooler (pooler.enabled is false)`);
  const access = await platform.access(name);
  const uris = clusterUris(runtime.endpoints, opts.superuser ? access.superuser() : access.app(), true);
  return (opts.pooler ? uris.pooler : opts.ro ? uris.ro : uris.rw) as string;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0)
        return 0;
      return 2; // commander already printed the usage error
    }
    if (e instanceof SpecError || e instanceof InputError) {
      process.stderr.write(`pgcluster: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`pgcluster: ${(e as Error).message}\n`);
    if (process.env.PGCLUSTER_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv).then((code) => process.exit(code));
}
