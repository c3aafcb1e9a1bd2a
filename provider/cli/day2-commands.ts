/**
 * Day-2 commands of the local platform: fence/unfence, hibernate, maintenance (each changes the
 * cluster's recorded spec and applies it with `up`, so the CLI and a spec file do the same thing),
 * restart and reload (rolling, replicas first), pgbench. Each ends with one sentence of what it
 * did and how long it took.
 *
 * The recorded spec is the one the last `up` applied; a later `up -f FILE` applies FILE, so keep
 * `fenced`, `hibernate` or `maintenance` in the file to keep them.
 */
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../errors';
import { kubernetesTarget } from './kubernetes-target';
import type { LocalPlatform } from '../platform/local';
import type { ClusterSpec } from '../spec/cluster';
import type { Reporter } from '../report/reporter';

type PlatformFor = (cmd: Command) => Promise<LocalPlatform>;
type ReporterFor = () => Promise<Reporter>;

const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function recorded(platform: LocalPlatform, name: string) {
  const runtime = await platform.runtime(name);
  if (!runtime.exists || !runtime.spec)
    throw new InputError(`no cluster named "${name}" (see \`pgcluster list\`)`);
  return { spec: runtime.spec, specFile: runtime.specFile };
}

/** Applies the recorded spec changed by `change` through `up` (the same code path as a spec file). */
async function upChanged(
  platform: LocalPlatform,
  name: string,
  change: (spec: ClusterSpec) => Record<string, unknown>,
  reporter: Reporter,
): Promise<void> {
  const { spec, specFile } = await recorded(platform, name);
  const { parseSpec } = await import('../spec/parse');
  const next = parseSpec(change(spec), `cluster ${name}`);
  const { resolveBackupSecrets, resolvePasswords } = await import('../secrets/references');
  const { up } = await import('../actions/up');
  // Relative secret files are read from where the spec file was, as `up -f` read them.
  const baseDir = specFile ? dirname(specFile) : process.cwd();
  await up(platform, next, reporter, {
    passwords: resolvePasswords(next, baseDir),
    inputs: { secrets: resolveBackupSecrets(next, baseDir), baseDir },
  });
}

function onOff(value: string, what: string): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new InputError(`${what} ${value}: must be on or off`);
}

export function registerDay2Commands(
  program: Command,
  platformFor: PlatformFor,
  reporter: ReporterFor,
): void {
  program
    .command('fence')
    .description('stop PostgreSQL on a member, keep it and its data; it cannot be promoted (spec: fenced)')
    .argument('<name>', 'cluster name')
    .argument('<member>', 'member to fence, e.g. NAME-2')
    .action(async (name: string, member: string, opts: object, cmd: Command) => {
      const k8s = kubernetesTarget(opts);
      if (k8s) return (await import('./kubernetes')).kubernetesFence(k8s, name, member, true);
      const platform = await platformFor(cmd);
      const { spec } = await recorded(platform, name);
      const r = await reporter();
      if (spec.fenced.includes(member)) return r.done(`${member} is already fenced: nothing to change`);
      await upChanged(platform, name, (s) => ({ ...s, fenced: [...s.fenced, member] }), r);
    });

  program
    .command('unfence')
    .description('start a fenced member again; it rejoins as a replica')
    .argument('<name>', 'cluster name')
    .argument('<member>', 'fenced member')
    .action(async (name: string, member: string, opts: object, cmd: Command) => {
      const k8s = kubernetesTarget(opts);
      if (k8s) return (await import('./kubernetes')).kubernetesFence(k8s, name, member, false);
      const platform = await platformFor(cmd);
      const { spec } = await recorded(platform, name);
      if (!spec.fenced.includes(member))
        throw new InputError(
          `${member}: not fenced; fenced members of ${name}: ${spec.fenced.length ? spec.fenced.join(', ') : 'none'}`,
        );
      await upChanged(
        platform,
        name,
        (s) => ({ ...s, fenced: s.fenced.filter((m) => m !== member) }),
        await reporter(),
      );
    });

  program
    .command('hibernate')
    .description('on: stop every process and keep the data; off: resume on the same data (spec: hibernate)')
    .argument('<name>', 'cluster name')
    .argument('<on|off>', 'on or off')
    .action(async (name: string, value: string, _opts: unknown, cmd: Command) => {
      const hibernate = onOff(value, 'hibernate');
      await upChanged(await platformFor(cmd), name, (s) => ({ ...s, hibernate }), await reporter());
    });

  program
    .command('maintenance')
    .description('on: pause Patroni (no automatic failover), PostgreSQL keeps serving (spec: maintenance)')
    .argument('<name>', 'cluster name')
    .argument('<on|off>', 'on or off')
    .action(async (name: string, value: string, _opts: unknown, cmd: Command) => {
      const maintenance = onOff(value, 'maintenance');
      await upChanged(await platformFor(cmd), name, (s) => ({ ...s, maintenance }), await reporter());
    });

  program
    .command('restart')
    .description(
      'rolling restart: replicas one at a time, then a switchover (primaryUpdateStrategy); or one member in place',
    )
    .argument('<name>', 'cluster name')
    .argument('[member]', 'only this member, restarted in place')
    .action(async (name: string, member: string | undefined, _opts: unknown, cmd: Command) => {
      const platform = await platformFor(cmd);
      const { spec } = await recorded(platform, name);
      const access = await platform.access(name);
      const r = await reporter();
      const started = Date.now();
      const { restartMember, rollingRestart } = await import('../actions/rolling');
      if (member) {
        await restartMember(access, spec, member, r);
        return r.done(`restarted ${member} in ${s1(Date.now() - started)}`);
      }
      const result = await rollingRestart(platform, access, spec, { pendingOnly: false }, r);
      r.done(
        `restarted ${result.restarted.join(', ')} in ${s1(Date.now() - started)}` +
          (result.switchedTo ? ` (switched over to ${result.switchedTo} before the old primary)` : '') +
          (result.primaryPending ? `; the primary ${result.primaryPending} waits (supervised)` : ''),
      );
    });

  program
    .command('reload')
    .description('every member rereads its configuration, replicas first (no restart)')
    .argument('<name>', 'cluster name')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const platform = await platformFor(cmd);
      const { spec } = await recorded(platform, name);
      const r = await reporter();
      const started = Date.now();
      const { reloadAll } = await import('../actions/rolling');
      const order = await reloadAll(await platform.access(name), spec, r);
      r.done(`reloaded ${order.join(', ')} in ${s1(Date.now() - started)}`);
    });

  program
    .command('destroy-member')
    .description('remove one replica and its data; it is recreated from a backup or a basebackup')
    .argument('<name>', 'cluster name')
    .argument('<member>', 'a replica')
    .action(async (name: string, member: string, _opts: unknown, cmd: Command) => {
      const platform = await platformFor(cmd);
      const { spec } = await recorded(platform, name);
      const r = await reporter();
      const started = Date.now();
      await platform.destroyMember(name, member, r);
      const keeper = spec.platform.local?.keeper ?? true;
      r.done(
        `destroyed ${member}'s data in ${s1(Date.now() - started)}; ` +
          (keeper
            ? 'the keeper starts it again and Patroni recreates it from a backup or a basebackup'
            : `\`pgcluster up\` recreates it from a backup or a basebackup`),
      );
    });

  program
    .command('report')
    .description(
      'one archive with the spec, the Patroni configuration, the status, the logs and pg_settings (secrets redacted)',
    )
    .argument('<name>', 'cluster name')
    .option('-o, --output <file>', 'the archive (default: pgcluster-report-NAME-TIME.tar.gz here)')
    .action(async (name: string, opts: { output?: string }, cmd: Command) => {
      const r = await reporter();
      const started = Date.now();
      const { localReport } = await import('./local-logs');
      const file = await localReport(await platformFor(cmd), name, opts.output);
      process.stdout.write(`${file}\n`);
      r.done(`wrote the report of ${name} to ${file} in ${s1(Date.now() - started)}`);
    });

  program
    .command('pgbench')
    .description(
      'run pgbench against the pooler (or --rw: the primary); the password goes through the environment',
    )
    .argument('<name>', 'cluster name')
    .option('--rw', 'the primary directly, not the pooler')
    .argument('[args...]', 'arguments for pgbench, after --')
    .action(async (name: string, args: string[], opts: { rw?: boolean }, cmd: Command) => {
      const platform = await platformFor(cmd);
      const runtime = await platform.runtime(name);
      if (!runtime.exists) throw new InputError(`no cluster named "${name}" (see \`pgcluster list\`)`);
      const endpoint = opts.rw
        ? runtime.endpoints.rw
        : runtime.endpoints.pooler
          ? [runtime.endpoints.pooler]
          : [];
      if (endpoint.length === 0)
        throw new InputError(`cluster "${name}" has no pooler (pooler.enabled is false): use --rw`);
      const creds = (await platform.access(name)).app();
      // libpq picks the read-write member of the list (target_session_attrs).
      const hosts = endpoint.map((e) => e.host).join(',');
      const ports = endpoint.map((e) => String(e.port)).join(',');
      const result = spawnSync('pgbench', [...args, creds.database], {
        stdio: 'inherit',
        env: {
          ...process.env,
          PGHOST: hosts,
          PGPORT: ports,
          PGUSER: creds.user,
          PGPASSWORD: creds.password,
          ...(opts.rw ? { PGTARGETSESSIONATTRS: 'read-write' } : {}),
        },
      });
      if (result.error)
        throw new InputError(`cannot run pgbench: ${result.error.message} (package postgresql-contrib)`);
      process.exitCode = result.status ?? 1;
    });
}
