import { z } from 'zod';

/**
 * The lowest values Patroni 4 accepts: it raises a lower ttl to 20 and a lower retry_timeout to 3
 * (its Config._validate_and_adjust_timeouts) with only a log line, so the spec refuses them instead.
 */
export const PATRONI_MINIMUMS = { ttl: 20, loopWait: 1, retryTimeout: 3 } as const;

/**
 * Patroni timing. The defaults were chosen by measurement (bench/ha-timing.bench.ts, with Patroni
 * 4.1): the fastest setting that showed no spurious failover while pgbench and CPU hogs saturated
 * both cores for 60 s. Losing a whole member does not wait for the TTL on the local platform (the
 * peer watch, platform.local.peerWatch), nor does a crashed Patroni (its supervisor releases the lock).
 */
export const HA_DEFAULTS = { ttl: 20, loopWait: 1, retryTimeout: 3 } as const;

export const haSchema = z
  .strictObject({
    ttl: z
      .int()
      .min(PATRONI_MINIMUMS.ttl)
      .max(3600)
      .default(HA_DEFAULTS.ttl)
      .describe(
        'Seconds the leader lock lives without renewal: a primary that stops renewing it (frozen, cut ' +
          'off from the DCS) is replaced after about this long. At least 20 (Patroni 4 raises a lower ' +
          'value to 20). A member whose processes are gone is replaced sooner on the local platform ' +
          `(platform.local.peerWatch). @default - ${HA_DEFAULTS.ttl}`,
      ),
    loopWait: z
      .int()
      .min(PATRONI_MINIMUMS.loopWait)
      .max(3600)
      .default(HA_DEFAULTS.loopWait)
      .describe(`Seconds between Patroni's health-check loops. @default - ${HA_DEFAULTS.loopWait}`),
    retryTimeout: z
      .int()
      .min(PATRONI_MINIMUMS.retryTimeout)
      .max(3600)
      .default(HA_DEFAULTS.retryTimeout)
      .describe(
        'Seconds Patroni retries the DCS and PostgreSQL before it demotes the primary. At least 3 ' +
          '(Patroni 4 raises a lower value to 3). ' +
          `Rule: loopWait + 2 x retryTimeout <= ttl. @default - ${HA_DEFAULTS.retryTimeout}`,
      ),
    maximumLagOnFailover: z
      .int()
      .min(0)
      .default(1048576)
      .describe(
        'Bytes a replica may lag and still be promoted by a failover (asynchronous mode). @default - 1048576',
      ),
  })
  .describe("High-availability timing, passed to Patroni's dynamic configuration.");

export type HaSpec = z.output<typeof haSchema>;
