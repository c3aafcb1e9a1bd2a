/**
 * A client that writes sequential ids to the primary, reconnecting through a multi-host rw URI
 * after failures, and remembers which ids the server acknowledged. Used to prove that no
 * acknowledged write is lost across a failover, and to measure how long writes fail.
 */
import type { Client } from 'pg';
import { connectMatching, sleep } from './pg';

export interface WriterReport {
  acknowledged: number[];
  failures: number;
  /** Longest time between two acknowledged writes, in ms (the write outage). */
  longestGapMs: number;
  /** Wall-clock time of each acknowledgement, ms since epoch. */
  ackTimes: number[];
  /** Each failure: when (ms since epoch) and why, for a test to explain an outage. */
  errors: Array<{ at: number; message: string }>;
}

export class SequentialWriter {
  private stopped = false;
  private client?: Client;
  private next = 1;
  readonly report: WriterReport = {
    acknowledged: [],
    failures: 0,
    longestGapMs: 0,
    ackTimes: [],
    errors: [],
  };
  private loop?: Promise<void>;

  constructor(
    private readonly rwUri: string,
    private readonly table: string,
    private readonly intervalMs = 20,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    let lastAck = Date.now();
    while (!this.stopped) {
      const id = this.next++;
      try {
        if (!this.client) this.client = await connectMatching(this.rwUri, true);
        await this.client.query(`insert into ${this.table} (id) values ($1)`, [id]);
        const now = Date.now();
        this.report.acknowledged.push(id);
        this.report.ackTimes.push(now);
        this.report.longestGapMs = Math.max(this.report.longestGapMs, now - lastAck);
        lastAck = now;
      } catch (e) {
        this.report.failures++;
        this.report.errors.push({ at: Date.now(), message: (e as Error).message });
        await this.client?.end().catch(() => undefined);
        this.client = undefined;
        await sleep(50);
      }
      await sleep(this.intervalMs);
    }
  }

  /** Waits until `count` more writes were acknowledged (proof that writes resumed). */
  async waitForAcks(count: number, timeoutMs = 60_000): Promise<void> {
    const target = this.report.acknowledged.length + count;
    const deadline = Date.now() + timeoutMs;
    while (this.report.acknowledged.length < target) {
      if (Date.now() > deadline) throw new Error(`writes did not resume within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  async stop(): Promise<WriterReport> {
    this.stopped = true;
    await this.loop;
    await this.client?.end().catch(() => undefined);
    return this.report;
  }
}
