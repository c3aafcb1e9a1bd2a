/**
 * The RPO of an unplanned promotion (spec.replica, the source gone): how far behind the replica
 * cluster is, from the source watch's last record of the source (where its WAL ended when last
 * heard, and since when it answers no more) and what the replica cluster has received and replayed.
 * Known only when the watch's first failed probe came within MAX_SILENCE_GAP_MS of the source being
 * last heard (the watch ran all along): then everything it committed after the replica's last replayed commit, up to its
 * silence, is what is lost. Pure.
 */
import { formatLsn, parseLsn } from './lsn';

/** Longer than this between "last heard" and the first failed probe, the watch was not running: unknown. */
export const MAX_SILENCE_GAP_MS = 10_000;

export interface SourceRecord {
  /** The cluster the watch heard (a record of an earlier source does not count). */
  sourceCluster: string | null;
  sourceMember: string;
  sourceLocation: number;
  heardAt: number;
  /** The first of the failed probes that ended in silentFrom (absent in records of older watches). */
  firstFailedAt?: number | null;
  silentFrom: number | null;
}

export interface ReplicaPosition {
  /** Received WAL position (text), null when nothing streamed since the start. */
  received: string | null;
  /** Replayed WAL position (text). */
  replayed: string;
  /** The commit time (epoch ms, the source's clock) of the last transaction replayed; null when none since the start. */
  replayedAt: number | null;
}

export type Rpo =
  | { known: false; why: string }
  | {
      known: true;
      /** The source's WAL position when last heard. */
      sourceLsn: string;
      /** Bytes of it that the replica never received (0 when it had it all). */
      notReceivedBytes: bigint;
      heardAt: number;
      silentFrom: number;
      /** Commits after this time (the last one replayed) are lost. */
      lostAfter: number;
      /** At most this many seconds of the source's commits are lost (lostAfter to silentFrom). */
      windowSeconds: number;
    };

export function unplannedRpo(
  sourceCluster: string,
  record: SourceRecord | undefined,
  here: ReplicaPosition,
): Rpo {
  if (!record || record.sourceCluster !== sourceCluster)
    return { known: false, why: 'no record of where its WAL ended (the source watch never heard it)' };
  if (record.silentFrom === null)
    return { known: false, why: 'the source watch has not seen it go silent (it was not running since)' };
  const gap = (record.firstFailedAt ?? record.silentFrom) - record.heardAt;
  if (gap > MAX_SILENCE_GAP_MS)
    return {
      known: false,
      why: `it was last heard ${(gap / 1000).toFixed(1)} s before the watch's first probe it did not answer (the watch was not running in between)`,
    };
  if (here.replayedAt === null)
    return {
      known: false,
      why: 'this cluster has replayed no commit since it started, so when its data ends is unknown',
    };
  const received = here.received ? parseLsn(here.received) : parseLsn(here.replayed);
  const source = BigInt(record.sourceLocation);
  return {
    known: true,
    sourceLsn: formatLsn(source),
    notReceivedBytes: source > received ? source - received : 0n,
    heardAt: record.heardAt,
    silentFrom: record.silentFrom,
    lostAfter: here.replayedAt,
    windowSeconds: Math.max(0, (record.silentFrom - here.replayedAt) / 1000),
  };
}
