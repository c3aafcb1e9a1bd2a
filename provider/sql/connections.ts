/**
 * The connections an apply needs: the maintenance database (roles, databases, database grants) and
 * one per managed database (schemas, extensions, grants inside it), opened by `inside` for the time
 * of that database's work, so a hundred databases never hold a hundred connections. Built from a
 * plain `pg` client config, so a Pulumi dynamic resource can call the executors with just that.
 */
import { Client, type ClientConfig } from 'pg';
import { cacheScramKeys } from './scram-cache';

cacheScramKeys();

export type PgConfig = ClientConfig;

export class Connections {
  private readonly clients = new Map<string, Promise<Client>>();

  constructor(readonly config: PgConfig) {}

  /** The database of the config: where roles and databases are managed from. */
  get maintenanceDatabase(): string {
    return this.config.database ?? 'postgres';
  }

  /** One client per database, opened on first use and kept until close(). */
  get(database: string = this.maintenanceDatabase): Promise<Client> {
    let pending = this.clients.get(database);
    if (!pending) {
      pending = open({ ...this.config, database });
      this.clients.set(database, pending);
      pending.catch(() => this.clients.delete(database));
    }
    return pending;
  }

  /** Connections of their own for the work inside one database, closed when it is done. */
  inside<T>(database: string, fn: (conns: Connections) => Promise<T>): Promise<T> {
    return withConnections({ ...this.config, database }, fn);
  }

  /** Closes the client of a database (before DROP DATABASE, which our own session would block). */
  async release(database: string): Promise<void> {
    const pending = this.clients.get(database);
    this.clients.delete(database);
    if (pending) await pending.then((c) => c.end()).catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.keys()].map((db) => this.release(db)));
  }
}

async function open(config: PgConfig): Promise<Client> {
  const client = new Client({ connectionTimeoutMillis: 5000, application_name: 'pgcluster', ...config });
  client.on('error', () => undefined); // a dropped connection surfaces on the next query
  await client.connect();
  return client;
}

/** Runs `fn` with connections that are closed afterwards, whatever happens. */
export async function withConnections<T>(config: PgConfig, fn: (c: Connections) => Promise<T>): Promise<T> {
  const conns = new Connections(config);
  try {
    return await fn(conns);
  } finally {
    await conns.close();
  }
}
