/**
 * spec.replica with an external source (replica.source.host) on the local platform: the login
 * check before anything starts (a replication connection as source.user, the server's major
 * version), the TLS roots of the replication login, and the secrets the cluster keeps (the
 * replication password and the source's superuser password, from their references, 0600).
 */
import { Client, type ClientConfig } from 'pg';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ClusterSpec } from '../../spec/cluster';
import type { StandbyContext } from '../../render/context';
import { ActionError, InputError } from '../../errors';
import type { LocalCluster } from './cluster-context';
import type { BackupInputs } from './pgbackrest';
import { giveTo } from './run-user';
import { readSecrets, writeFileAtomic } from './state';

const FIELD = 'replica.source';
const NOTHING = 'nothing was started';

type External = NonNullable<ClusterSpec['replica']>['source'] & { host: string };

function external(spec: ClusterSpec): External | undefined {
  const src = spec.replica?.source;
  return src?.host !== undefined ? (src as External) : undefined;
}

function caPath(src: External, baseDir: string): string | undefined {
  if (src.caFile === undefined) return undefined;
  return isAbsolute(src.caFile) ? src.caFile : join(baseDir, src.caFile);
}

function readCa(src: External, baseDir: string): string | undefined {
  const path = caPath(src, baseDir);
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`${FIELD}.caFile: cannot read ${path}: ${(e as Error).message}; ${NOTHING}`);
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(text))
    throw new InputError(`${FIELD}.caFile: ${path} is not a PEM certificate; ${NOTHING}`);
  return text;
}

function sslOf(src: External, ca: string | undefined): ClientConfig['ssl'] {
  switch (src.sslMode) {
    case 'require':
    case 'prefer':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { ca, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ca };
    default:
      return false;
  }
}

/**
 * Logs in to the external source as source.user over a replication connection (what the standby
 * leader does) and checks its major version; every failure names the field and what to do.
 */
export async function checkExternalSource(spec: ClusterSpec, inputs: BackupInputs): Promise<void> {
  const src = external(spec);
  if (!src) return;
  if (spec.replica!.via !== 'streaming')
    throw new InputError(
      `replica.via: ${JSON.stringify(spec.replica!.via)} is not supported with an external source on platform.local yet (its archive is not read): use via: streaming`,
    );
  const password = inputs.secrets.replicaPassword;
  if (password === undefined) throw new InputError(`${FIELD}.password: cannot be read; ${NOTHING}`);
  const ssl = sslOf(src, readCa(src, inputs.baseDir));
  const client = await connected(src, password, ssl).catch((e: Error) =>
    // prefer (libpq): plaintext when the server has no TLS.
    src.sslMode === 'prefer' && /does not support SSL/.test(e.message)
      ? connected(src, password, false)
      : Promise.reject(e),
  );
  try {
    await client.query('IDENTIFY_SYSTEM');
    const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    const num = Number(rows[0]?.server_version_num);
    const major = Math.floor(num / 10000);
    if (major !== spec.postgresVersion)
      throw new InputError(
        `postgresVersion: ${spec.postgresVersion} is not allowed for a replica cluster of ${src.host}:${src.port}, which runs PostgreSQL ${major}: a physical replica has the same major version; ${NOTHING}`,
      );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function connected(src: External, password: string, ssl: ClientConfig['ssl']): Promise<Client> {
  const where = `${src.host}:${src.port}`;
  const client = new Client({
    host: src.host,
    port: src.port,
    user: src.user,
    password,
    database: 'replication',
    ssl,
    replication: 'true',
    connectionTimeoutMillis: 10_000,
    query_timeout: 10_000,
    application_name: 'pgcluster-replica-check',
  } as ClientConfig);
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    const err = e as Error & { code?: string };
    const create =
      `create it there (CREATE ROLE ${src.user} WITH LOGIN REPLICATION PASSWORD '...', by its superuser: ` +
      "pgcluster does not log in to an external source as one) and admit it for replication from this site's host in its pg_hba.conf";
    if (err.code === '28P01')
      throw new InputError(
        `${FIELD}.password: ${where} refused the password of "${src.user}" for replication (${err.message}): ` +
          `check the reference, or ${create}; ${NOTHING}`,
      );
    if (err.code === '28000')
      throw new InputError(
        `${FIELD}.user: ${where} refuses a replication connection as "${src.user}" (${err.message}): ${create}; ${NOTHING}`,
      );
    throw new ActionError(
      `${FIELD}.host: cannot reach PostgreSQL at ${where} for replication (${err.code ?? err.message}); ${NOTHING}`,
    );
  }
  return client;
}

/** The secrets file keeps the external source's credentials current (0600): they come from the spec's references. */
export function syncExternalSecrets(lc: LocalCluster, spec: ClusterSpec, inputs: BackupInputs): void {
  if (!external(spec)) return;
  const { replicaPassword } = inputs.secrets;
  const secrets = readSecrets(lc.paths.secretsFile);
  if (!secrets || replicaPassword === undefined) return;
  // No superuser password: the catalog's is the source's, which this site never holds (the local
  // superuser logs in over the sockets by peer authentication).
  const { superuserPassword: _none, ...own } = secrets;
  if (secrets.replicationPassword === replicaPassword && _none === undefined) return;
  const next = { ...own, replicationPassword: replicaPassword };
  writeFileAtomic(lc.paths.secretsFile, `${JSON.stringify(next, null, 2)}\n`, 0o600);
  giveTo(lc.user, lc.paths.secretsFile);
}

/** Where the replication login's roots are: the external source's CA and this cluster's. */
function rootsFile(lc: LocalCluster): string {
  return join(lc.paths.tls.dir, 'replication-roots.crt');
}

/**
 * Writes the roots file (with sslMode verify-*) from the CA the spec names, as `up` reads it,
 * before the members' configuration is written.
 */
export function writeExternalRoots(lc: LocalCluster, spec: ClusterSpec, baseDir: string): void {
  const src = external(spec);
  const ca = src ? readCa(src, baseDir) : undefined;
  if (!ca) return;
  const own = existsSync(lc.paths.tls.caCert) ? readFileSync(lc.paths.tls.caCert, 'utf8') : '';
  const text = `${ca.trim()}\n${own.trim()}\n`;
  const file = rootsFile(lc);
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  writeFileAtomic(file, text, 0o644);
  giveTo(lc.user, file);
}

/** Patroni's standby_cluster following the external source by streaming. */
export function externalStandby(lc: LocalCluster, spec: ClusterSpec): StandbyContext | undefined {
  const src = external(spec);
  if (!src) return undefined;
  const verifies = src.sslMode === 'verify-ca' || src.sslMode === 'verify-full';
  return {
    host: src.host,
    port: src.port,
    createReplicaMethods: ['basebackup'],
    replicationTls: {
      sslmode: src.sslMode,
      ...(verifies ? { sslrootcert: rootsFile(lc) } : {}),
    },
  };
}
