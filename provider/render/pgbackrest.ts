/**
 * pgbackrest.conf, and the commands PostgreSQL and Patroni run with it. Pure and deterministic:
 * sections and keys in sorted order, so unchanged input never rewrites the file.
 *
 * One file per member: `pg1` is always the member itself (archive-push, archive-get and a restore
 * into its data directory use pg1-path: "the --pg1-path pitfall"), `pg2..` are the other members
 * (on Kubernetes through their pgBackRest TLS servers), so that a backup run from any member finds
 * the primary and a standby. A repository host (the Kubernetes CronJob) lists every member remote. The file holds the S3 keys
 * and the cipher passphrase: write it 0600 (a Secret on Kubernetes).
 */
import type { BackupSpec, S3Keys, S3Spec } from '../spec/backup';
import { SUPERUSER } from '../naming';
import { oneLine } from './sorted';

export interface PgHost {
  /** PostgreSQL data directory. */
  path: string;
  port: number;
  /** Unix socket directory (local). */
  socketPath?: string;
  /** Reached through that host's pgBackRest TLS server (Kubernetes); absent: on this machine. */
  remote?: RemoteHost;
}

/** A pgBackRest TLS server on another host, and this side's certificate to be let in. */
export interface RemoteHost {
  host: string;
  port: number;
  /** The CA that signed the server's certificate. */
  caFile: string;
  certFile: string;
  keyFile: string;
  /** The configuration file on that host. */
  config: string;
}

/** This host's pgBackRest TLS server: who may connect (client certificate CN → stanza). */
export interface TlsServer {
  address: string;
  port: number;
  certFile: string;
  keyFile: string;
  /** The CA client certificates must be signed by. */
  caFile: string;
  clientCommonName: string;
}

export interface RepoContext {
  s3: S3Spec;
  /** Defaulted key prefix. */
  path: string;
  keys?: S3Keys;
  /** Where the repository CA is on the machine that runs pgbackrest. */
  caFile?: string;
  passphrase?: string;
  /**
   * Without keys: `web-id` (the pods' IRSA role, from AWS_ROLE_ARN and the projected token), or
   * `auto` (the instance's or pod's own identity). @default - auto
   */
  keyType?: 'auto' | 'web-id';
}

export interface PgbackrestContext {
  stanza: string;
  repo: RepoContext;
  /** This member first, then the others. */
  pg: PgHost[];
  spoolPath: string;
  logPath: string;
  lockPath: string;
  server?: TlsServer;
}

/** The default key prefix of a cluster's (or a stanza's) repository. */
export function repoPath(s3: S3Spec, stanza: string): string {
  return s3.path ?? `/pgcluster/${stanza}`;
}

const COMPRESS_TYPE: Record<BackupSpec['compression'], string> = {
  lz4: 'lz4',
  zstd: 'zst',
  gz: 'gz',
  none: 'none',
};

function splitEndpoint(s3: S3Spec): { host: string; port?: number } {
  if (!s3.endpoint) return { host: `s3.${s3.region}.amazonaws.com` };
  const [host, port] = s3.endpoint.split(':');
  return { host: host as string, ...(port ? { port: Number(port) } : {}) };
}

/** repo1-* options of one S3 repository. */
export function repoOptions(repo: RepoContext, retention?: BackupSpec['retention']): Record<string, string> {
  const { host, port } = splitEndpoint(repo.s3);
  const out: Record<string, string> = {
    'repo1-type': 's3',
    'repo1-path': repo.path,
    'repo1-s3-bucket': repo.s3.bucket ?? '',
    'repo1-s3-endpoint': host,
    'repo1-s3-region': repo.s3.region,
    'repo1-s3-uri-style': repo.s3.uriStyle,
    'repo1-storage-verify-tls': repo.s3.verifyTls ? 'y' : 'n',
    // Many small files (a fresh cluster, the catalogs) go up as a few bundles: far fewer S3 requests.
    'repo1-bundle': 'y',
  };
  if (port !== undefined) out['repo1-storage-port'] = String(port);
  if (repo.s3.kmsKeyId) out['repo1-s3-kms-key-id'] = repo.s3.kmsKeyId;
  if (repo.caFile) out['repo1-storage-ca-file'] = repo.caFile;
  if (repo.keys) {
    out['repo1-s3-key'] = repo.keys.accessKeyId;
    out['repo1-s3-key-secret'] = repo.keys.secretAccessKey;
  } else out['repo1-s3-key-type'] = repo.keyType ?? 'auto';
  if (repo.passphrase !== undefined) {
    out['repo1-cipher-type'] = 'aes-256-cbc';
    out['repo1-cipher-pass'] = repo.passphrase;
  }
  if (retention) {
    out['repo1-retention-full-type'] = retention.full !== undefined ? 'count' : 'time';
    out['repo1-retention-full'] = String(retention.full ?? retention.days);
  }
  return out;
}

function render(sections: Array<[string, Record<string, string>]>): string {
  return sections
    .map(([name, options]) => {
      const lines = Object.keys(options)
        .sort()
        .map((k) => `${k}=${oneLine(options[k] as string)}`);
      return `[${name}]\n${lines.join('\n')}\n`;
    })
    .join('\n');
}

function pgOptions(pg: readonly PgHost[]): Record<string, string> {
  const out: Record<string, string> = {};
  pg.forEach((h, i) => {
    const n = i + 1;
    out[`pg${n}-path`] = h.path;
    out[`pg${n}-port`] = String(h.port);
    out[`pg${n}-user`] = SUPERUSER;
    if (h.socketPath) out[`pg${n}-socket-path`] = h.socketPath;
    if (h.remote) {
      out[`pg${n}-host`] = h.remote.host;
      out[`pg${n}-host-type`] = 'tls';
      out[`pg${n}-host-port`] = String(h.remote.port);
      out[`pg${n}-host-ca-file`] = h.remote.caFile;
      out[`pg${n}-host-cert-file`] = h.remote.certFile;
      out[`pg${n}-host-key-file`] = h.remote.keyFile;
      out[`pg${n}-host-config`] = h.remote.config;
    }
  });
  return out;
}

/** The member's pgbackrest.conf for its own archive (archive-push, archive-get, backups, check). */
export function renderPgbackrestConf(backup: BackupSpec, ctx: PgbackrestContext): string {
  const global: Record<string, string> = {
    ...repoOptions(ctx.repo, backup.retention),
    'compress-type': COMPRESS_TYPE[backup.compression],
    'process-max': String(backup.processMax),
    'archive-async': backup.archiveAsync ? 'y' : 'n',
    'spool-path': ctx.spoolPath,
    'log-path': ctx.logPath,
    'lock-path': ctx.lockPath,
    'log-level-console': 'warn',
    'log-level-file': 'info',
    'start-fast': 'y',
    delta: 'y',
    // Enough for a fresh cluster's first segments; the check command waits this long for one.
    'archive-timeout': '60',
  };
  if (backup.fromStandby && ctx.pg.length > 1) global['backup-standby'] = 'y';
  if (ctx.server) {
    global['tls-server-address'] = ctx.server.address;
    global['tls-server-port'] = String(ctx.server.port);
    global['tls-server-cert-file'] = ctx.server.certFile;
    global['tls-server-key-file'] = ctx.server.keyFile;
    global['tls-server-ca-file'] = ctx.server.caFile;
    global['tls-server-auth'] = `${ctx.server.clientCommonName}=${ctx.stanza}`;
  }
  return render([
    ['global', global],
    [ctx.stanza, pgOptions(ctx.pg)],
  ]);
}

/**
 * A configuration that only reads another repository: the restore of bootstrap.recovery into this
 * member's data directory, and the archive-get of its WAL while it replays. Nothing here writes.
 */
export function renderRestoreConf(ctx: Omit<PgbackrestContext, 'spoolPath'>, processMax: number): string {
  return render([
    [
      'global',
      {
        ...repoOptions(ctx.repo),
        'process-max': String(processMax),
        'log-path': ctx.logPath,
        'lock-path': ctx.lockPath,
        'log-level-console': 'warn',
        'log-level-file': 'info',
      },
    ],
    [ctx.stanza, pgOptions(ctx.pg.slice(0, 1))],
  ]);
}

/** PostgreSQL's archive_command: the config comes from PGBACKREST_CONFIG in the member's environment. */
export function archiveCommand(stanza: string): string {
  return `pgbackrest --stanza=${stanza} archive-push "%p"`;
}

export function restoreCommand(stanza: string, config?: string): string {
  return `pgbackrest${config ? ` --config=${config}` : ''} --stanza=${stanza} archive-get %f "%p"`;
}
