import { z } from 'zod';
import { kubernetesPlatformSchema } from './kubernetes';

export const DEFAULT_BASE_PORT = 15400;
/** Highest base port: every port of a local cluster stays below 32768 (the kernel's ephemeral range). */
export const MAX_BASE_PORT = 32700;

export const localPlatformSchema = z
  .strictObject({
    basePort: z
      .int()
      .min(1024)
      .max(MAX_BASE_PORT)
      .default(DEFAULT_BASE_PORT)
      .describe(
        'First of the 61 TCP ports the cluster uses on 127.0.0.1: pooler = basePort, etcd = +1/+2, ' +
          `member n PostgreSQL = +10+n, member n Patroni REST API = +40+n. @default - ${DEFAULT_BASE_PORT}`,
      ),
    peerWatch: z
      .boolean()
      .default(true)
      .describe(
        'Fast detection of a lost leader member. Every member runs on this host, so when the ' +
          "leader's Patroni REST port and PostgreSQL port both refuse connections (nothing listens: " +
          'no postmaster can accept a write) on 3 probes 200 ms apart, the other members release its ' +
          'leader lock instead of waiting for ha.ttl to expire. A timeout never counts. false: only ' +
          'the TTL, as plain Patroni. The same switch covers the planned-switchover handoff: once the old ' +
          "primary's PostgreSQL has shut down cleanly and the candidate has received its last WAL, its " +
          "supervisor releases the leader lock at once instead of Patroni's one-second wait. " +
          'Takes effect at once, for running members too. @default - true',
      ),
    host: z
      .string()
      .optional()
      .describe(
        'Address the members (PostgreSQL and the Patroni REST API) and the pooler listen on and advertise ' +
          'instead of 127.0.0.1, e.g. the address of a site (a network namespace) whose clusters other ' +
          'sites replicate from (replica). etcd stays on 127.0.0.1. @default - 127.0.0.1',
      ),
    allowedNetworks: z
      .array(z.string())
      .default([])
      .describe(
        'Networks (CIDR) that pg_hba admits over TCP besides the loopback and host: e.g. the other sites ' +
          'of a replica cluster group, which replicate with the replication role. @default - []',
      ),
    keeper: z
      .boolean()
      .default(true)
      .describe(
        'Self-healing, as Kubernetes restarts a pod: a per-cluster keeper process restarts a member ' +
          'whose processes are gone (and etcd), at once and then with a backoff doubling from 2 s to ' +
          '60 s, and gives up after 5 restarts in 10 minutes (its log says so; `up` starts over); a member ' +
          'that ran 10 s or more before dying again is a new incident, restarted at once. ' +
          '`down`, hibernation and fencing stop it from restarting anything. false: a killed member ' +
          'stays down until `up`. @default - true',
      ),
  })
  .describe('Run etcd, Patroni members and PgBouncer as processes on this machine.');

export const platformSchema = z
  .strictObject({
    local: localPlatformSchema.optional(),
    kubernetes: kubernetesPlatformSchema.optional(),
  })
  .describe('Where the cluster runs: exactly one of `local` or `kubernetes`. @default - {local: {}}');

export type LocalPlatformSpec = z.output<typeof localPlatformSchema>;
