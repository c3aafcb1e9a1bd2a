/** `pgcluster backup` and `pgcluster backups`: on-demand backups and the list of them. */
import { Option, type Command } from 'commander';
import { BACKUP_TYPES, type BackupType } from '../spec/backup-types';
import { InputError } from '../errors';
import type { LocalPlatform } from '../platform/local';
import type { StanzaInfo } from '../backup/info';
import { formatBytes } from '../report/reporter';
import { kubernetesTarget } from './kubernetes-target';

type PlatformFor = (cmd: Command) => Promise<LocalPlatform>;

/** The cluster on Kubernetes (--kubeconfig/--context/--namespace) or local; close() when done. */
async function clusterOf(cmd: Command, platformFor: PlatformFor, name: string, opts: object) {
  const k8s = kubernetesTarget(opts);
  if (k8s) {
    const { kubernetesCluster } = await import('./kubernetes');
    return kubernetesCluster(k8s, name);
  }
  const platform = await platformFor(cmd);
  const runtime = await platform.runtime(name);
  if (!runtime.exists || !runtime.spec)
    throw new InputError(`no cluster named "${name}" (see \`pgcluster list\`)`);
  return { spec: runtime.spec, access: await platform.access(name), close: async () => undefined };
}

export function renderBackupsTable(info: StanzaInfo): string {
  const rows = info.backups.map((b) => [
    b.label,
    b.type,
    b.stoppedAt.replace(/\.\d+Z$/, 'Z'),
    `${((Date.parse(b.stoppedAt) - Date.parse(b.startedAt)) / 1000).toFixed(0)} s`,
    formatBytes(b.size),
    formatBytes(b.repoSize),
    `${b.lsnStart} - ${b.lsnStop}`,
  ]);
  const header = ['LABEL', 'TYPE', 'STOPPED', 'TOOK', 'SIZE', 'IN REPO', 'LSN'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  const archive = info.archive
    ? `WAL archived: ${info.archive.min} .. ${info.archive.max}`
    : 'no WAL archived yet';
  return [
    `Stanza ${info.name}: ${info.status.message}; ${archive}`,
    '',
    ...(rows.length ? [line(header), ...rows.map(line)] : ['no backups yet']),
    '',
  ].join('\n');
}

export function registerBackupCommands(program: Command, platformFor: PlatformFor): void {
  program
    .command('backup')
    .description('take a backup now (from a standby when backup.fromStandby)')
    .argument('<name>', 'cluster name')
    .addOption(
      new Option('--type <type>', 'full, diff (since the last full) or incr (since the last backup)')
        .choices(BACKUP_TYPES)
        .default('full'),
    )
    .action(async (name: string, opts: { type: BackupType }, cmd: Command) => {
      const { takeBackup } = await import('../actions/backup');
      const { cliReporter } = await import('./progress');
      const { spec, access, close } = await clusterOf(cmd, platformFor, name, opts);
      try {
        const made = await takeBackup(spec, access, opts.type, cliReporter());
        process.stdout.write(`${made.label}\n`);
      } finally {
        await close();
      }
    });

  program
    .command('backups')
    .description("the cluster's backups in its repository")
    .argument('<name>', 'cluster name')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const { listBackups } = await import('../actions/backup');
      const { spec, access, close } = await clusterOf(cmd, platformFor, name, opts);
      try {
        const info = await listBackups(spec, access);
        process.stdout.write(opts.json ? `${JSON.stringify(info, null, 2)}\n` : renderBackupsTable(info));
      } finally {
        await close();
      }
    });
}
