/**
 * bootstrap.pgBasebackup on the local platform: the checks of the source before anything starts,
 * and the files Patroni's custom bootstrap runs with (the member's clone.json and a 0600 password
 * file that clone-basebackup.py removes once the copy ends).
 */
import { Client, type ClientConfig } from 'pg';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterSpec } from '../../spec/cluster';
import type { BasebackupSource } from '../../spec/bootstrap';
import { ActionError, InputError } from '../../errors';
import type { LocalBinaries } from './binaries';
import type { LocalCluster } from './cluster-context';
import { giveTo } from './run-user';
import { writeFileAtomic } from './state';
import { pgpassLine } from '../../render/pgpass';

const FIELD = 'bootstrap.pgBasebackup.source';

function sslOf(mode: BasebackupSource['sslMode']): ClientConfig['ssl'] {
  if (mode === 'require') return { rejectUnauthorized: false };
  if (mode === 'verify-ca' || mode === 'verify-full') return { rejectUnauthorized: true };
  return false;
}

function configOf(src: BasebackupSource, password: string | undefined): ClientConfig {
  return {
    host: src.host,
    port: src.port,
    user: src.user,
    database: src.database,
    ...(password !== undefined ? { password } : {}),
    ssl: sslOf(src.sslMode),
    connectionTimeoutMillis: 10_000,
    query_timeout: 10_000,
    application_name: 'pgcluster-clone-check',
  };
}

async function withSource<T>(config: ClientConfig, what: string, run: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client(config);
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    const err = e as Error & { code?: string };
    const where = `${config.host}:${config.port}`;
    if (err.code === '28P01')
      throw new InputError(
        `${FIELD}.password: ${where} refused the password of "${config.user}" (${err.message})`,
      );
    if (err.code === '28000')
      throw new InputError(
        `${FIELD}: ${where} refuses ${what} for "${config.user}" (${err.message}); allow it in the source's pg_hba.conf`,
      );
    if (err.code === '3D000') throw new InputError(`${FIELD}.database: ${err.message} on ${where}`);
    throw new ActionError(`${FIELD}.host: cannot reach PostgreSQL at ${where} (${err.code ?? err.message})`);
  }
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface SourceFacts {
  version: string;
  num: number;
  replication: boolean;
  superuser: boolean;
}

/** What makes a reachable source unfit to clone: another major version, no REPLICATION. */
export function cloneSourceProblem(spec: ClusterSpec, facts: SourceFacts): string | undefined {
  const src = spec.bootstrap.pgBasebackup!.source;
  const major = Math.floor(facts.num / 10000);
  if (major !== spec.postgresVersion)
    return (
      `${FIELD}: ${src.host}:${src.port} runs PostgreSQL ${facts.version} and postgresVersion is ${spec.postgresVersion}: ` +
      `pg_basebackup copies only the same major version (set postgresVersion: ${major}, or clone another server)`
    );
  if (!facts.replication && !facts.superuser)
    return (
      `${FIELD}.user: role "${src.user}" on ${src.host}:${src.port} has no REPLICATION attribute ` +
      `(ALTER ROLE "${src.user}" REPLICATION, or use a role that has it)`
    );
  return undefined;
}

/** The source answers, runs postgresVersion's major, grants REPLICATION and accepts a replication connection. */
export async function checkCloneSource(
  spec: ClusterSpec,
  password: string | undefined,
  suffix: string,
): Promise<void> {
  const src = spec.bootstrap.pgBasebackup!.source;
  const config = configOf(src, password);
  const facts = await withSource(config, 'a connection', async (c) => {
    const { rows } = await c.query<{
      version: string;
      num: number;
      replication: boolean;
      superuser: boolean;
    }>(
      `select current_setting('server_version') as version, current_setting('server_version_num')::int as num,
              r.rolreplication as replication, r.rolsuper as superuser
         from pg_roles r where r.rolname = current_user`,
    );
    return rows[0]!;
  });
  const problem = cloneSourceProblem(spec, facts);
  if (problem) throw new InputError(`${problem}; ${suffix}`);
  // pg_basebackup needs a replication connection, which pg_hba.conf allows separately.
  await withSource(
    { ...config, replication: 'true' } as ClientConfig,
    'a replication connection',
    async (c) => {
      await c.query('IDENTIFY_SYSTEM');
    },
  );
}

/** clone.json and (with a password) clone.pgpass, 0600, the run user's. */
export function writeCloneFiles(
  lc: LocalCluster,
  spec: ClusterSpec,
  member: string,
  bins: LocalBinaries,
  password: string | undefined,
): void {
  const src = spec.bootstrap.pgBasebackup!.source;
  const p = lc.paths.member(member);
  if (password !== undefined) {
    writeFileAtomic(p.clonePass, pgpassLine(src.host, src.port, '*', src.user, password), 0o600);
    giveTo(lc.user, p.clonePass);
  }
  const config = {
    pgBasebackup: join(bins.postgresBinDir, 'pg_basebackup'),
    dataDir: p.data,
    host: src.host,
    port: src.port,
    user: src.user,
    database: src.database,
    sslMode: src.sslMode,
    ...(password !== undefined ? { passFile: p.clonePass } : {}),
  };
  writeFileAtomic(p.cloneConfig, `${JSON.stringify(config, null, 2)}\n`, 0o600);
  giveTo(lc.user, p.cloneConfig);
}

/** After the cluster exists the source's password has no business on disk. */
export function removeCloneFiles(lc: LocalCluster, member: string): void {
  const p = lc.paths.member(member);
  for (const f of [p.clonePass, p.cloneConfig]) if (existsSync(f)) rmSync(f, { force: true });
}
