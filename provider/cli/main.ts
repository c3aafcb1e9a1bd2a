/**
 * The `pgcluster` CLI: day-2 commands in the spirit of `kubectl cnpg`, and `up -f spec.yaml` for
 * the local platform. Exit codes: 0 done, 1 failed, 2 invalid input (README: Exit codes).
 *
 * Each command imports what it runs when it runs (`await import`): the read-only ones (`status`,
 * `uri`, `list`, `psql`) load neither the spec schemas, nor the renderers, nor Pulumi, nor a
 * Kubernetes client, so they start in a fraction of the time (bench/cli-startup.bench.ts;
 * test/cli/startup.test.ts keeps it so).
 */
import { Command, CommanderError, Option } from 'commander';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SpecError } from '../spec/errors';
import { InputError } from '../errors';
import type { LocalPlatform } from '../platform/local';
import { LocalInspector } from '../platform/local/inspect';
import { defaultStateDir } from '../platform/local/state-dir';
import { clusterUris, socketUris } from '../actions/uri';
import { renderStatusTable } from './status-table';
import { registerBackupCommands } from './backup-commands';
import { registerDay2Commands } from './day2-commands';
import { registerCompletionCommand } from './completion';
import { cliVersion } from './version';
import { colours } from './colour';
import {
  addLogsCommand,
  KUBERNETES_COMMANDS,
  kubernetesTarget,
  withKubernetesTarget,
} from './kubernetes-target';

function stateDirOf(cmd: Command): string {
  return cmd.optsWithGlobals<{ stateDir?: string }>().stateDir ?? defaultStateDir();
}

/** The local clusters' read side: what `status`, `uri`, `psql` and `list` need. */
function inspectorFor(cmd: Command): LocalInspector {
  return new LocalInspector(stateDirOf(cmd));
}

/** The local platform, read and write side (loaded when a command changes something). */
async function platformFor(cmd: Command): Promise<LocalPlatform> {
  const { LocalPlatform } = await import('../platform/local');
  return new LocalPlatform(stateDirOf(cmd));
}

/** Progress bars on a terminal, plain lines elsewhere (loaded by the commands that report). */
async function reporter() {
  const { cliReporter } = await import('./progress');
  return cliReporter();
}

async function readSpec(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(
      `-f ${file}: cannot read the spec file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  const { parseSpecText } = await import('../spec/parse');
  return parseSpecText(text, file);
}

/** `pgcluster [--state-dir D] up -f FILE`: the command that brings a cluster back, to copy. */
function upCommand(cmd: Command, specFile: string | null): string {
  const explicit = cmd.optsWithGlobals<{ stateDir?: string }>().stateDir;
  const fromCli = cmd.parent?.getOptionValueSource('stateDir') === 'cli';
  const stateDir = explicit && fromCli ? ` --state-dir ${shellWord(explicit)}` : '';
  return `pgcluster${stateDir} up -f ${specFile ? shellWord(specFile) : '<spec file>'}`;
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

async function specOf(platform: LocalInspector, name: string) {
  const runtime = await platform.runtime(name);
  if (!runtime.exists || !runtime.spec)
    throw new InputError(`no cluster named "${name}" (see \`pgcluster list\`)`);
  return runtime.spec;
}

export function buildProgram(): Command {
  const program = new Command('pgcluster')
    .description('Highly available PostgreSQL clusters: Patroni, etcd and PgBouncer, declared by a spec')
    .version(cliVersion(), '-V, --version', 'print the version')
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
      const spec = await readSpec(opts.file);
      if (!spec.platform.local)
        throw new InputError(
          'platform.kubernetes: the pgcluster CLI runs local clusters; deploy kubernetes clusters with the PostgresCluster Pulumi component',
        );
      const { resolveBackupSecrets, resolvePasswords } = await import('../secrets/references');
      const { up } = await import('../actions/up');
      const baseDir = dirname(resolve(opts.file));
      const passwords = resolvePasswords(spec, baseDir);
      const inputs = { secrets: resolveBackupSecrets(spec, baseDir), baseDir };
      const platform = await platformFor(cmd);
      await up(platform, spec, await reporter(), { passwords, inputs });
      await platform.rememberSpecFile(spec.name, resolve(opts.file));
    });

  program
    .command('status')
    .description('members, roles, lag and endpoints')
    .argument('<name>', 'cluster name')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const k8s = kubernetesTarget(opts);
      if (k8s) {
        const { kubernetesStatus } = await import('./kubernetes');
        return kubernetesStatus(k8s, name, opts.json === true);
      }
      const { status } = await import('../actions/status');
      const result = await status(inspectorFor(cmd), name);
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(result, null, 2)}\n`
          : renderStatusTable(result, {
              paint: colours(process.stdout),
              upCommand: upCommand(cmd, result.specFile),
            }),
      );
    });

  program
    .command('list')
    .description('clusters in the state dir')
    .action(async (_opts: unknown, cmd: Command) => {
      const names = await inspectorFor(cmd).list();
      if (names.length === 0)
        process.stderr.write(
          `no clusters in ${stateDirOf(cmd)} (create one with \`pgcluster up -f <spec>\`)\n`,
        );
      for (const name of names) process.stdout.write(`${name}\n`);
    });

  program
    .command('switchover')
    .description('planned switchover: promote a replica, the primary rejoins as a replica')
    .argument('<name>', 'cluster name')
    .option('--to <member>', 'member to promote (default: Patroni picks the healthiest replica)')
    .action(async (name: string, opts: { to?: string }, cmd: Command) => {
      const k8s = kubernetesTarget(opts);
      if (k8s) {
        const { kubernetesSwitchover } = await import('./kubernetes');
        return kubernetesSwitchover(k8s, name, opts.to);
      }
      const { switchover } = await import('../actions/switchover');
      const platform = await platformFor(cmd);
      const spec = await specOf(platform, name);
      await switchover(platform, await platform.access(name), spec, opts.to, await reporter());
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
        if (k8s) {
          const { kubernetesUri } = await import('./kubernetes');
          return void process.stdout.write(`${await kubernetesUri(k8s, name, opts)}\n`);
        }
        process.stdout.write(`${await connectionUri(inspectorFor(cmd), name, opts)}\n`);
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
        if (k8s) {
          const { kubernetesPsql } = await import('./kubernetes');
          return void (process.exitCode = await kubernetesPsql(k8s, name, args, opts));
        }
        const platform = inspectorFor(cmd);
        const runtime = await platform.runtime(name);
        if (!runtime.exists) throw new InputError(`no cluster named "${name}" (see \`pgcluster list\`)`);
        const access = await platform.access(name);
        const creds = opts.superuser ? access.superuser() : access.app();
        // The local superuser: over the members' sockets (peer), no password.
        const uris =
          (opts.superuser ? socketUris(runtime.endpoints, creds) : undefined) ??
          clusterUris(runtime.endpoints, creds);
        const result = spawnSync('psql', [opts.ro ? uris.ro : uris.rw, ...args], {
          stdio: 'inherit',
          env: { ...process.env, PGPASSWORD: creds.password },
        });
        if (result.error)
          throw new InputError(`cannot run psql: ${result.error.message} (package postgresql-client)`);
        process.exitCode = result.status ?? 1;
      },
    );

  program
    .command('certificate')
    .description(
      "issue a client certificate signed by the cluster's CA, for certificate auth (tls.clientAuth.users)",
    )
    .argument('<name>', 'cluster name')
    .requiredOption('--user <role>', 'the role the certificate logs in as (its CN)')
    .option('--out <dir>', 'directory for <role>.crt, <role>.key (0600) and ca.crt', '.')
    .option('--days <n>', 'validity in days', '365')
    .action(async (name: string, opts: { user: string; out: string; days: string }, cmd: Command) => {
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 1)
        throw new InputError(`--days ${opts.days} is not allowed: a whole number of days, at least 1`);
      const k8s = kubernetesTarget(opts);
      let issued: Awaited<ReturnType<LocalPlatform['clientCertificate']>>;
      let host = '127.0.0.1';
      if (k8s) {
        const { KubernetesCliPlatform } = await import('../platform/kubernetes/cli-platform');
        const platform = new KubernetesCliPlatform(k8s);
        issued = await platform.clientCertificate(name, opts.user, days);
        // Inside the cluster; through `kubectl port-forward` the certificate names 127.0.0.1 too.
        host = `${name}-rw.${k8s.namespace}.svc`;
      } else issued = await (await platformFor(cmd)).clientCertificate(name, opts.user, days);
      const { writeClientCertificate } = await import('./certificate');
      const files = writeClientCertificate(opts.out, opts.user, issued);
      process.stdout.write(
        `${files.cert}\n${files.key}\n${files.ca}\n` +
          `psql "host=${host} port=${issued.port} user=${opts.user} sslmode=verify-full sslrootcert=${files.ca} sslcert=${files.cert} sslkey=${files.key}"\n`,
      );
      if (!issued.admitted)
        process.stderr.write(
          `note: ${opts.user} is not in tls.clientAuth.users of ${name}: add it there (and run up) for this certificate to log in\n`,
        );
    });

  registerBackupCommands(program, platformFor);
  registerDay2Commands(program, platformFor, reporter);

  program
    .command('down')
    .description('stop every process of the cluster, keep its data')
    .argument('<name>', 'cluster name')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const { down } = await import('../actions/lifecycle');
      await down(await platformFor(cmd), name, await reporter());
    });

  program
    .command('destroy')
    .description('stop the cluster and remove all its files')
    .argument('<name>', 'cluster name')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const { destroy } = await import('../actions/lifecycle');
      await destroy(await platformFor(cmd), name, await reporter());
    });

  // --kubeconfig/--context/--namespace: the same commands on a cluster on Kubernetes (cli/kubernetes.ts).
  for (const command of program.commands.filter((c) => KUBERNETES_COMMANDS.includes(c.name())))
    withKubernetesTarget(command);
  addLogsCommand(program, async (cmd, name, opts) => {
    const { localLogs } = await import('./local-logs');
    await localLogs(await platformFor(cmd), name, opts);
  });
  registerCompletionCommand(program);
  return program;
}

export async function connectionUri(
  platform: LocalInspector,
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
  const creds = opts.superuser ? access.superuser() : access.app();
  // A cluster without a superuser password of its own (a local replica cluster): its sockets (peer).
  const sockets = opts.superuser && creds.password === '' ? socketUris(runtime.endpoints, creds) : undefined;
  const uris = sockets ?? clusterUris(runtime.endpoints, creds, true);
  return (
    opts.pooler && !sockets ? clusterUris(runtime.endpoints, creds, true).pooler : opts.ro ? uris.ro : uris.rw
  ) as string;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const paint = colours(process.stderr);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0)
        return 0;
      return 2; // commander already printed the usage error
    }
    const expected = e instanceof SpecError || e instanceof InputError;
    process.stderr.write(`${paint.red('pgcluster:')} ${(e as Error).message}\n`);
    if (!expected && process.env.PGCLUSTER_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return expected ? 2 : 1;
  }
}

if (require.main === module) {
  main(process.argv).then((code) => process.exit(code));
}
