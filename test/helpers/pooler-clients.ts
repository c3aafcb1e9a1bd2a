/**
 * Clients of the pooler that each keep one connection and ask, every few ms, whether the server
 * they are on takes writes (`pg_is_in_recovery()`), reconnecting through the pooler after an error:
 * what an application sees of a failover, query by query.
 */
import type { Client } from 'pg';
import { connect, sleep } from './pg';

export interface Answer {
  at: number;
  client: number;
  ok: boolean;
  /** The server was read-only (a replica). */
  readOnly?: boolean;
  port?: number;
  error?: string;
}

export class PoolerClients {
  readonly answers: Answer[] = [];
  private stopped = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly uri: string,
    private readonly count: number,
    private readonly intervalMs = 20,
  ) {}

  start(): void {
    this.loops = Array.from({ length: this.count }, (_, i) => this.run(i));
  }

  private async run(id: number): Promise<void> {
    let client: Client | undefined;
    while (!this.stopped) {
      try {
        client ??= await connect(this.uri);
        const { rows } = await client.query<{ ro: boolean; port: number }>(
          'select pg_is_in_recovery() as ro, inet_server_port() as port',
        );
        this.answers.push({
          at: Date.now(),
          client: id,
          ok: true,
          readOnly: rows[0]?.ro,
          port: rows[0]?.port,
        });
      } catch (e) {
        this.answers.push({ at: Date.now(), client: id, ok: false, error: (e as Error).message });
        await client?.end().catch(() => undefined);
        client = undefined;
        await sleep(50);
      }
      await sleep(this.intervalMs);
    }
    await client?.end().catch(() => undefined);
  }

  async stop(): Promise<Answer[]> {
    this.stopped = true;
    await Promise.all(this.loops);
    return this.answers;
  }
}
