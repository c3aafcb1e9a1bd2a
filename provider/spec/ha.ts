import { z } from 'zod';

/**
 * Patroni timing. The defaults were chosen by measurement (bench/ha-timing.bench.ts): the fastest
 * setting that showed no spurious failover while pgbench and CPU hogs saturated both cores for
 * 60 s (candidates 4/1/1, 5/1/2, 6/1/2, 10/1/4; 4/1/1 never failed over at all, see retryTimeout).
 */
export const HA_DEFAULTS = { ttl: 5, loopWait: 1, retryTimeout: 2 } as const;

export const haSchema = z
  .strictObject({
    ttl: z
      .int()
      .min(2)
      .max(3600)
      .default(HA_DEFAULTS.ttl)
      .describe(
        'Seconds the leader lock lives without renewal: a lost primary is replaced after at most ' +
          `about this long. @default - ${HA_DEFAULTS.ttl}`,
      ),
    loopWait: z
      .int()
      .min(1)
      .max(3600)
      .default(HA_DEFAULTS.loopWait)
      .describe(`Seconds between Patroni's health-check loops. @default - ${HA_DEFAULTS.loopWait}`),
    retryTimeout: z
      .int()
      .min(2)
      .max(3600)
      .default(HA_DEFAULTS.retryTimeout)
      .describe(
        'Seconds Patroni retries the DCS and PostgreSQL before it demotes the primary. ' +
          'At least 2: with 1, Patroni 3.0 on etcd v3 times out every leader race, so no replica is ever promoted. ' +
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
