/**
 * One standalone PostgreSQL 15 server for SQL tests and the SQL benchmark: initdb'd in a temp dir,
 * run as the service account (postgres when we are root) on a free port in 26000-26999, reached
 * over TCP with SCRAM like a cluster member, stopped by its PID. Every statement is logged
 * (log_statement = all) unless asked otherwise, so tests can prove what never reaches the log.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, type ClientConfig } from 'pg';
import { generatePassword } from '../../provider/secrets/scram';
import {
  daemonOutput,
  freePort,
  makeTempDir,
  removeDir,
  run,
  startDaemon,
  stopDaemon,
  waitForPort,
  writeOwnedFile,
  type Daemon,
} from './processes';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

export interface TestServer {
  port: number;
  dir: string;
  daemon: Daemon;
  /** Superuser connection config, to the postgres database. */
  config: ClientConfig;
  /** The server's log so far (its stderr). */
  log(): string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** log_statement = all. @default true */
  logStatements?: boolean;
  maxConnections?: number;
  /** Listen on this address as well as 127.0.0.1 (e.g. the Kubernetes node's, for its pods). */
  alsoListen?: string;
  /** This port instead of a free one in 26000-26999. */
  port?: number;
  /** pg_hba.conf lines appended to initdb's (which admit 127.0.0.1 only). */
  hba?: string[];
}

export async function startPostgres(label: string, options: ServerOptions = {}): Promise<TestServer> {
  const dir = makeTempDir(label);
  const data = join(dir, 'data');
  const password = generatePassword();
  const pwfile = writeOwnedFile(join(dir, 'pwfile'), `${password}\n`);
  const init = run(
    join(PG_BIN, 'initdb'),
    [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=scram-sha-256',
      `--pwfile=${pwfile}`,
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
    ],
    dir,
  );
  if (init.status !== 0) throw new Error(`initdb failed:\n${init.stderr}${init.stdout}`);
  if (options.hba?.length) appendFileSync(join(data, 'pg_hba.conf'), `${options.hba.join('\n')}\n`);
  const port = options.port ?? (await freePort());
  const settings: Record<string, string | number> = {
    listen_addresses: ['127.0.0.1', ...(options.alsoListen ? [options.alsoListen] : [])].join(','),
    port,
    unix_socket_directories: dir,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: options.maxConnections ?? 200,
    log_statement: options.logStatements === false ? 'none' : 'all',
    log_min_error_statement: 'error',
  };
  const args = ['-D', data, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const daemon = startDaemon(`postgres-${label}`, join(PG_BIN, 'postgres'), args, dir);
  try {
    await waitForPort(daemon, '127.0.0.1', port);
    const config: ClientConfig = {
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password,
      database: 'postgres',
    };
    await waitUntilAccepting(config);
    return {
      port,
      dir,
      daemon,
      config,
      log: () => daemonOutput(daemon),
      stop: async () => {
        await stopDaemon(daemon, 'SIGINT', 15_000); // fast shutdown
        removeDir(dir);
      },
    };
  } catch (e) {
    await stopDaemon(daemon, 'SIGKILL');
    removeDir(dir);
    throw e;
  }
}

/** The port opens before the server accepts logins ("the database system is starting up"). */
async function waitUntilAccepting(config: ClientConfig): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new Client(config);
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Runs queries as the superuser in one database; closes the connection. */
export async function withDatabase<T>(
  server: TestServer,
  database: string,
  fn: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ ...server.config, database });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops every database and role a test created, so the next test starts from a fresh server. */
export async function resetServer(server: TestServer): Promise<void> {
  await withDatabase(server, 'postgres', async (c) => {
    const dbs = await c.query<{ datname: string }>(
      "select datname from pg_database where datname not in ('postgres', 'template0', 'template1')",
    );
    for (const { datname } of dbs.rows)
      await c.query(`DROP DATABASE ${c.escapeIdentifier(datname)} WITH (FORCE)`);
    const roles = await c.query<{ rolname: string }>(
      "select rolname from pg_roles where rolname <> 'postgres' and rolname not like 'pg\\_%'",
    );
    if (roles.rows.length > 0) {
      await c.query(`DROP OWNED BY ${roles.rows.map((r) => c.escapeIdentifier(r.rolname)).join(', ')}`);
      for (const { rolname } of roles.rows) await c.query(`DROP ROLE ${c.escapeIdentifier(rolname)}`);
    }
  });
}
