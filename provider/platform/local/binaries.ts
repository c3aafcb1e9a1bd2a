/**
 * Finds the programs a local cluster runs, with an error that names the missing package.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { InputError } from '../../errors';
import { checkPatroniVersion, findPatroni, patroniVersion } from './patroni';

export interface LocalBinaries {
  /** PostgreSQL server binaries (postgres, initdb, pg_ctl, pg_rewind, pg_basebackup). */
  postgresBinDir: string;
  patroni: string;
  /** Its version (at least 4.0). */
  patroniVersion: string;
  /** The Python that runs Patroni (its venv); also runs our supervisor and callback scripts. */
  python: string;
  etcd: string;
  pgbouncer: string;
  /** pgBackRest, when installed (a spec with backup or bootstrap.recovery needs it). */
  pgbackrest?: string;
}

const SEARCH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SEARCH_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/** Server binaries of a PostgreSQL major version, as Debian/PGDG install them. */
export function postgresBinDir(version: number): string | undefined {
  const dir = `/usr/lib/postgresql/${version}/bin`;
  return ['postgres', 'initdb', 'pg_ctl', 'pg_rewind', 'pg_basebackup'].every((b) => executable(join(dir, b)))
    ? dir
    : undefined;
}

function interpreterOf(script: string): string | undefined {
  const firstLine = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(firstLine);
  if (!match) return undefined;
  const [, interpreter, arg] = match;
  if (interpreter?.endsWith('/env') && arg) return which(arg);
  return interpreter && existsSync(interpreter) ? interpreter : undefined;
}

/**
 * Every missing piece is reported at once, with the apt-get line that installs it (Patroni: the
 * pinned venv of tools/patroni/install.sh). A Patroni older than 4.0 is refused.
 */
export function findLocalBinaries(postgresVersion: number): LocalBinaries {
  const missing: string[] = [];
  const binDir = postgresBinDir(postgresVersion);
  if (!binDir)
    missing.push(
      `postgresVersion ${postgresVersion}: PostgreSQL ${postgresVersion} server binaries not found in /usr/lib/postgresql/${postgresVersion}/bin (package postgresql-${postgresVersion})`,
    );
  const found = findPatroni(which);
  const patroni = found?.path;
  if (!found)
    missing.push(
      'patroni: not installed; run scripts/setup.sh (it installs the pinned Patroni with tools/patroni/install.sh) ' +
        'or set PGCLUSTER_PATRONI to a patroni 4.x executable',
    );
  else if (!executable(found.path)) missing.push(`${found.source} ${found.path}: not an executable file`);
  const etcd = which('etcd');
  if (!etcd) missing.push('etcd not found on PATH (package etcd-server)');
  const pgbouncer = which('pgbouncer');
  if (!pgbouncer) missing.push('pgbouncer not found on PATH (package pgbouncer)');
  const python = patroni && executable(patroni) ? interpreterOf(patroni) : undefined;
  if (patroni && executable(patroni) && !python)
    missing.push(`cannot find the Python interpreter that runs ${patroni}`);
  if (missing.length > 0) {
    const packages = [
      ...(binDir ? [] : [`postgresql-${postgresVersion}`]),
      ...(etcd ? [] : ['etcd-server']),
      ...(pgbouncer ? [] : ['pgbouncer']),
    ];
    throw new InputError(
      `the local platform is missing programs:\n${missing.map((m) => `  - ${m}`).join('\n')}` +
        (packages.length ? `\ninstall them with: apt-get install -y ${packages.join(' ')}` : ''),
    );
  }
  const version = patroniVersion(python as string, patroni as string);
  checkPatroniVersion(found as NonNullable<typeof found>, version);
  return {
    postgresBinDir: binDir as string,
    patroni: patroni as string,
    patroniVersion: version,
    python: python as string,
    etcd: etcd as string,
    pgbouncer: pgbouncer as string,
    ...(which('pgbackrest') ? { pgbackrest: which('pgbackrest') } : {}),
  };
}
