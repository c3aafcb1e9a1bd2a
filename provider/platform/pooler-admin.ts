/**
 * PgBouncer's admin console (the `pgbouncer` pseudo-database, simple queries only): PAUSE bounded by
 * a timeout, RESUME, RELOAD, SHOW. Platform-neutral: the platform says where the console is and
 * with which credentials; the local platform and the Kubernetes pooler pods use the same calls.
 */
import { Client, type ClientConfig } from 'pg';
import type { Credentials, PgEndpoint, PauseResult } from './types';
import { sleep } from '../util/sleep';

export class PoolerAdmin {
  /** The connection whose PAUSE had not returned when its timeout passed (closed at resume). */
  private pending?: Client;

  constructor(
    private readonly endpoint: PgEndpoint,
    private readonly creds: Omit<Credentials, 'database'>,
    /** TLS to the console (a pooler that requires it): the CA that signed its certificate. */
    private readonly ssl?: ClientConfig['ssl'],
  ) {}

  private async open(): Promise<Client> {
    const client = new Client({
      host: this.endpoint.host,
      port: this.endpoint.port,
      user: this.creds.user,
      password: this.creds.password,
      database: 'pgbouncer',
      connectionTimeoutMillis: 3000,
      ...(this.ssl ? { ssl: this.ssl } : {}),
    });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  /** Runs admin commands in order on one connection; returns the rows of the last. */
  async run<T extends Record<string, unknown> = Record<string, unknown>>(
    ...commands: string[]
  ): Promise<T[]> {
    const client = await this.open();
    try {
      let rows: T[] = [];
      for (const command of commands) rows = (await client.query<T>(command)).rows;
      return rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Server connections linked to a client (running a transaction, or held by a session). */
  async busyServers(): Promise<number> {
    const rows = await this.run<{ state: string }>('SHOW SERVERS');
    return rows.filter((r) => r.state === 'active').length;
  }

  /**
   * PAUSE: from now on no client gets a server connection; resolves once every server connection
   * is released (each transaction finished) or after timeoutMs, whichever comes first. Clients
   * wait meanwhile, they are not refused.
   */
  async pause(timeoutMs: number): Promise<PauseResult> {
    const started = Date.now();
    const client = await this.open();
    const paused = client.query('PAUSE').then(
      () => true,
      (e: Error) => {
        // Already paused (by a switchover that did not finish, or by hand): it is paused.
        if (/already/i.test(e.message)) return true;
        throw e;
      },
    );
    const complete = await Promise.race([paused, sleep(timeoutMs).then(() => false)]);
    if (complete) {
      await client.end().catch(() => undefined);
      return { complete, ms: Date.now() - started, busy: 0 };
    }
    paused.catch(() => undefined);
    this.pending = client;
    return { complete, ms: Date.now() - started, busy: await this.busyServers().catch(() => -1) };
  }

  /**
   * RESUME without a RELOAD, after `settings` (SET commands, e.g. the pool mode back); "not paused"
   * is not an error. Under server TLS, PgBouncer 1.18 recycles every server connection on each
   * RELOAD, so a session client already running on the new primary would be dropped by a second one.
   */
  resume(settings: string[] = []): Promise<void> {
    return this.commandsThenResume(settings);
  }

  /**
   * RELOAD (the target file may have changed) and RESUME; "not paused" is not an error. `reconnect`:
   * RECONNECT first, so the idle server connections (to the old primary, when the target is a
   * Service whose address stays) are closed and the next client gets a new one.
   */
  reloadAndResume(options: { reconnect?: boolean } = {}): Promise<void> {
    return this.commandsThenResume(['RELOAD', ...(options.reconnect ? ['RECONNECT'] : [])]);
  }

  /** `commands`, then RESUME ("not paused" is not an error), and the held PAUSE session closed. */
  private async commandsThenResume(commands: string[]): Promise<void> {
    const client = await this.open();
    try {
      for (const command of commands) await client.query(command);
      await client.query('RESUME').catch((e: Error) => {
        if (!/not paused|not suspended/i.test(e.message)) throw e;
      });
    } finally {
      await client.end().catch(() => undefined);
      await this.pending?.end().catch(() => undefined);
      this.pending = undefined;
    }
  }
}
