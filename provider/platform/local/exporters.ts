/**
 * The exporters of a local cluster (monitoring.exporters): one postgres_exporter per member (with
 * pgcluster's query set, as the superuser over TCP, verify-full under tls) on basePort+60+n, and
 * scripts/pgbouncer-exporter.py on basePort+3. Passwords reach them in 0600 files, never arguments.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { ClusterSpec } from '../../spec/cluster';
import { InputError } from '../../errors';
import { POOLER_ADMIN_USER, SUPERUSER } from '../../naming';
import { renderExporterQueries } from '../../render/exporter-queries';
import { memberContext, scriptPath, type LocalCluster } from './cluster-context';
import { exporterPaths, exporterPort, poolerExporterPort, running } from './exporter-files';
import { LOCAL_HOST } from './ports';
import { spawnDaemon, stopPid } from './process';
import { ensureDir, giveTo } from './run-user';
import { writeFileAtomic, type StoredSecrets } from './state';

export const POSTGRES_EXPORTER = '/usr/bin/prometheus-postgres-exporter';

export function checkExporterBinaries(spec: ClusterSpec): void {
  if (!spec.monitoring?.exporters) return;
  if (!existsSync(POSTGRES_EXPORTER))
    throw new InputError(
      `monitoring.exporters: ${POSTGRES_EXPORTER} is not installed (apt-get install -y prometheus-postgres-exporter), or set monitoring.exporters false`,
    );
}

function writeIfChanged(lc: LocalCluster, path: string, content: string, mode: number): void {
  if (!existsSync(path) || readFileSync(path, 'utf8') !== content) writeFileAtomic(path, content, mode);
  giveTo(lc.user, path);
}

function start(lc: LocalCluster, pidFile: string, opts: Parameters<typeof spawnDaemon>[0]): number {
  const pid = spawnDaemon(opts);
  writeFileAtomic(pidFile, `${pid}\n`, 0o644);
  return pid;
}

/** Starts the exporters that do not run; stops them all when monitoring.exporters is off. Returns what started. */
export async function syncExporters(
  lc: LocalCluster,
  spec: ClusterSpec,
  slots: readonly number[],
): Promise<string[]> {
  const p = exporterPaths(lc);
  if (!spec.monitoring?.exporters) return [];
  ensureDir(lc.user, p.dir);
  writeIfChanged(lc, p.queries, renderExporterQueries(), 0o644);
  // It reaches its member over the socket as the run user, which pg_ident maps to the superuser
  // (peer): no password file. Exporters an older version started read the one it wrote: they are
  // restarted with the socket's DSN before that file is removed.
  if (existsSync(p.superuserPass)) {
    await stopExporters(
      lc,
      slots.map((slot) => memberContext(lc, slot).name),
      false,
    );
    rmSync(p.superuserPass, { force: true });
  }
  const started: string[] = [];
  for (const slot of slots) {
    const m = memberContext(lc, slot);
    const files = p.member(m.name);
    if (running(files.pid)) continue;
    start(lc, files.pid, {
      command: POSTGRES_EXPORTER,
      args: [
        `--web.listen-address=${LOCAL_HOST}:${exporterPort(lc, slot)}`,
        `--extend.query-path=${p.queries}`,
        '--log.level=warn',
      ],
      logFile: files.log,
      cwd: p.dir,
      user: lc.user,
      env: {
        DATA_SOURCE_NAME: `host=${m.socketDir} port=${m.postgresPort} user=${SUPERUSER} dbname=postgres sslmode=disable`,
      },
    });
    started.push(`postgres_exporter of ${m.name} on ${LOCAL_HOST}:${exporterPort(lc, slot)}`);
  }
  return started;
}

/** The PgBouncer exporter (after the pooler runs): scripts/pgbouncer-exporter.py on the Patroni venv's Python. */
export function syncPoolerExporter(
  lc: LocalCluster,
  spec: ClusterSpec,
  secrets: StoredSecrets,
  python: string,
): string | undefined {
  const p = exporterPaths(lc);
  if (!spec.monitoring?.exporters || !spec.pooler.enabled) return undefined;
  ensureDir(lc.user, p.dir);
  writeIfChanged(lc, p.poolerPass, `${secrets.poolerAdminPassword}\n`, 0o600);
  const config = {
    listen: { host: LOCAL_HOST, port: poolerExporterPort(lc) },
    admin: {
      host: lc.host,
      port: lc.ports.pooler,
      user: POOLER_ADMIN_USER,
      passFile: p.poolerPass,
      ...(spec.tls?.enabled ? { sslmode: 'verify-full', sslrootcert: lc.paths.tls.caCert } : {}),
    },
  };
  writeIfChanged(lc, p.poolerConfig, `${JSON.stringify(config, null, 2)}\n`, 0o600);
  if (running(p.pooler.pid)) return undefined;
  start(lc, p.pooler.pid, {
    command: python,
    args: [scriptPath(lc, 'pgbouncer-exporter.py'), p.poolerConfig],
    logFile: p.pooler.log,
    cwd: p.dir,
    user: lc.user,
  });
  return `the PgBouncer exporter on ${LOCAL_HOST}:${poolerExporterPort(lc)}`;
}

/** Stops every exporter of the cluster (by PID file). */
export async function stopExporters(
  lc: LocalCluster,
  members: readonly string[],
  withPooler = true,
): Promise<number> {
  const p = exporterPaths(lc);
  const pids = [
    ...members.map((m) => running(p.member(m).pid)),
    withPooler ? running(p.pooler.pid) : undefined,
  ].filter((pid): pid is number => pid !== undefined);
  await Promise.all(pids.map((pid) => stopPid(pid, 'SIGTERM', 5000)));
  return pids.length;
}
