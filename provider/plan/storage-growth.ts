/**
 * What a change of `storage` means for the members' volume claims on Kubernetes: nothing, a growth
 * (each claim smaller than the new size is patched; the StorageClass must allow expansion), or a
 * refusal naming the field, the value and what is allowed (volumes never shrink; a WAL volume is not
 * added to or removed from a cluster that has members). Pure: the claims and StorageClasses are read
 * by the caller.
 */
import { storageBytes } from '../spec/quantity';

/** A member's claim as the API server has it. */
export interface ClaimView {
  name: string;
  /** `data` or `wal`: the volumeClaimTemplate it was made from. */
  volume: 'data' | 'wal';
  /** spec.resources.requests.storage. */
  requested: string;
  /** spec.storageClassName (absent: none set). */
  storageClass?: string;
  /** status.phase: only a Bound claim can be resized. */
  phase?: string;
}

/** A StorageClass's name and whether it allows expansion. */
export interface StorageClassView {
  name: string;
  allowVolumeExpansion: boolean;
}

export interface StorageRequest {
  /** storage.size and storage.walSize as now declared. */
  size: string;
  walSize?: string;
  /** As last applied (absent on create). */
  previous?: { size: string; walSize?: string };
  claims: readonly ClaimView[];
  /** The StorageClasses the claims name (absent: the class does not exist). */
  classes: readonly StorageClassView[];
}

export type StoragePlan =
  | { kind: 'same' }
  | { kind: 'grow'; patches: Array<{ claim: string; from: string; to: string; storageClass: string }> }
  | { kind: 'refuse'; reason: string };

const FIELD = { data: 'storage.size', wal: 'storage.walSize' } as const;

const bytes = (q: string): bigint => {
  const b = storageBytes(q);
  if (b === undefined) throw new Error(`not a storage quantity: ${q}`);
  return b;
};

const largest = (sizes: readonly string[]): string | undefined =>
  sizes.reduce<string | undefined>(
    (max, s) => (max === undefined || bytes(s) > bytes(max) ? s : max),
    undefined,
  );

export function planStorage(request: StorageRequest): StoragePlan {
  const { previous } = request;
  if (previous && (previous.walSize === undefined) !== (request.walSize === undefined))
    return {
      kind: 'refuse',
      reason:
        `storage.walSize: ${request.walSize ?? 'absent'} where the cluster was created ` +
        `${previous.walSize ? `with a ${previous.walSize} WAL volume` : 'with WAL on the data volume'}; ` +
        'a WAL volume cannot be added to or removed from a running cluster (the members keep their ' +
        `volumes): set storage.walSize back to ${previous.walSize ?? 'absent'}`,
    };
  const patches: Extract<StoragePlan, { kind: 'grow' }>['patches'] = [];
  for (const volume of ['data', 'wal'] as const) {
    const wanted = volume === 'data' ? request.size : request.walSize;
    if (wanted === undefined) continue;
    const claims = request.claims.filter((c) => c.volume === volume);
    const before = volume === 'data' ? previous?.size : previous?.walSize;
    // Volumes cannot shrink: below a live claim, or below the size last applied.
    const live = largest(claims.map((c) => c.requested));
    if (live !== undefined && bytes(wanted) < bytes(live))
      return {
        kind: 'refuse',
        reason:
          `${FIELD[volume]}: ${wanted} is smaller than the claims' ${live} ` +
          `(${claims
            .filter((c) => c.requested === live)
            .map((c) => c.name)
            .join(', ')}); volumes cannot ` +
          `shrink: set ${FIELD[volume]} to ${live} or more`,
      };
    if (before !== undefined && bytes(wanted) < bytes(before))
      return {
        kind: 'refuse',
        reason: `${FIELD[volume]}: ${wanted} is smaller than the ${before} last applied; volumes cannot shrink: set ${FIELD[volume]} to ${before} or more`,
      };
    for (const c of claims) {
      if (bytes(c.requested) >= bytes(wanted)) continue;
      const className = c.storageClass ?? '';
      const storageClass = request.classes.find((k) => k.name === className);
      if (!storageClass?.allowVolumeExpansion)
        return {
          kind: 'refuse',
          reason:
            `${FIELD[volume]}: ${wanted} needs the claims grown from ${c.requested}, but ` +
            (className === ''
              ? `claim ${c.name} names no StorageClass, and only a class can allow volume expansion`
              : storageClass
                ? `StorageClass ${className} does not allow volume expansion (allowVolumeExpansion is not true)`
                : `StorageClass ${className} of claim ${c.name} does not exist`) +
            `: keep ${FIELD[volume]} at ${c.requested}, or use a StorageClass with allowVolumeExpansion: true ` +
            '(whose provisioner can expand volumes)',
        };
      if (c.phase !== undefined && c.phase !== 'Bound')
        return {
          kind: 'refuse',
          reason: `${FIELD[volume]}: ${wanted} needs claim ${c.name} grown, but it is ${c.phase}, and only a Bound claim can be resized: wait until it is Bound, then run up again`,
        };
      patches.push({ claim: c.name, from: c.requested, to: wanted, storageClass: className });
    }
  }
  return patches.length > 0 ? { kind: 'grow', patches } : { kind: 'same' };
}
