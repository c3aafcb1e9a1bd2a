import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planStorage, type ClaimView, type StorageRequest } from './storage-growth';
import { storageBytes } from '../spec/quantity';

const claim = (name: string, requested: string, volume: ClaimView['volume'] = 'data'): ClaimView => ({
  name,
  volume,
  requested,
  storageClass: 'local-path',
  phase: 'Bound',
});
const two = (size: string) => [claim('data-orders-1', size), claim('data-orders-2', size)];
const expandable = [{ name: 'local-path', allowVolumeExpansion: true }];
const fixed = [{ name: 'local-path', allowVolumeExpansion: false }];
const request = (r: Partial<StorageRequest>): StorageRequest => ({
  size: '1Gi',
  previous: { size: '1Gi' },
  claims: two('1Gi'),
  classes: expandable,
  ...r,
});

describe('storageBytes', () => {
  test('GIVEN binary, decimal and plain quantities THEN their bytes', () => {
    assert.equal(storageBytes('1Gi'), 1073741824n);
    assert.equal(storageBytes('512Mi'), 536870912n);
    assert.equal(storageBytes('2G'), 2000000000n);
    assert.equal(storageBytes('100Ti'), 100n * 1024n ** 4n);
    assert.equal(storageBytes('1073741824'), 1073741824n);
    assert.equal(storageBytes('1024Mi'), storageBytes('1Gi'));
  });

  test('GIVEN what is no whole storage quantity THEN undefined', () => {
    for (const q of ['1.5Gi', 'ten', 'Gi', '100m', '-1Gi', ' 1Gi', '1gi', '1GB', ''])
      assert.equal(storageBytes(q), undefined, q);
  });
});

describe('planStorage', () => {
  test('GIVEN the same size (also written otherwise) THEN nothing to do', () => {
    assert.deepEqual(planStorage(request({})), { kind: 'same' });
    assert.deepEqual(planStorage(request({ size: '1024Mi' })), { kind: 'same' });
  });

  test('GIVEN a larger size and a class that allows expansion THEN every smaller claim is patched', () => {
    assert.deepEqual(
      planStorage(
        request({ size: '2Gi', claims: [claim('data-orders-1', '1Gi'), claim('data-orders-2', '2Gi')] }),
      ),
      {
        kind: 'grow',
        patches: [{ claim: 'data-orders-1', from: '1Gi', to: '2Gi', storageClass: 'local-path' }],
      },
    );
  });

  test('GIVEN a WAL volume THEN walSize grows its claims as size does the data claims', () => {
    const claims = [
      ...two('1Gi'),
      claim('wal-orders-1', '256Mi', 'wal'),
      claim('wal-orders-2', '256Mi', 'wal'),
    ];
    const plan = planStorage(
      request({ size: '1Gi', walSize: '512Mi', previous: { size: '1Gi', walSize: '256Mi' }, claims }),
    );
    assert.deepEqual(plan.kind === 'grow' && plan.patches.map((p) => `${p.claim} ${p.to}`), [
      'wal-orders-1 512Mi',
      'wal-orders-2 512Mi',
    ]);
  });

  test('GIVEN a size below the claims THEN refused, naming field, value, the claims and what is allowed', () => {
    assert.deepEqual(planStorage(request({ size: '1Gi', previous: { size: '2Gi' }, claims: two('2Gi') })), {
      kind: 'refuse',
      reason:
        "storage.size: 1Gi is smaller than the claims' 2Gi (data-orders-1, data-orders-2); volumes cannot shrink: set storage.size to 2Gi or more",
    });
  });

  test('GIVEN a size below the one last applied (no claim yet) THEN refused', () => {
    const plan = planStorage(request({ size: '500Mi', previous: { size: '1Gi' }, claims: [] }));
    assert.equal(plan.kind, 'refuse');
    assert.match(
      plan.kind === 'refuse' ? plan.reason : '',
      /^storage\.size: 500Mi is smaller than the 1Gi last applied/,
    );
  });

  test('GIVEN growth on a class without allowVolumeExpansion THEN refused naming the class', () => {
    const plan = planStorage(request({ size: '2Gi', classes: fixed }));
    assert.equal(plan.kind, 'refuse');
    assert.equal(
      plan.kind === 'refuse' && plan.reason,
      'storage.size: 2Gi needs the claims grown from 1Gi, but StorageClass local-path does not allow volume expansion (allowVolumeExpansion is not true): keep storage.size at 1Gi, or use a StorageClass with allowVolumeExpansion: true (whose provisioner can expand volumes)',
    );
  });

  test('GIVEN growth on a class that is gone THEN refused naming it', () => {
    const plan = planStorage(request({ size: '2Gi', classes: [] }));
    assert.match(
      plan.kind === 'refuse' ? plan.reason : '',
      /StorageClass local-path of claim data-orders-1 does not exist/,
    );
  });

  test('GIVEN a claim not Bound THEN growth is refused until it is', () => {
    const plan = planStorage(
      request({ size: '2Gi', claims: [{ ...claim('data-orders-1', '1Gi'), phase: 'Pending' }] }),
    );
    assert.match(plan.kind === 'refuse' ? plan.reason : '', /data-orders-1 grown, but it is Pending/);
  });

  test('GIVEN a WAL volume added to or removed from a cluster THEN refused', () => {
    const added = planStorage(request({ walSize: '1Gi' }));
    assert.match(
      added.kind === 'refuse' ? added.reason : '',
      /^storage\.walSize: 1Gi where the cluster was created with WAL on the data volume/,
    );
    const removed = planStorage(request({ previous: { size: '1Gi', walSize: '1Gi' } }));
    assert.match(
      removed.kind === 'refuse' ? removed.reason : '',
      /^storage\.walSize: absent where the cluster was created with a 1Gi WAL volume/,
    );
  });

  test('GIVEN a new cluster (nothing applied) on no claims THEN nothing to patch', () => {
    assert.deepEqual(planStorage({ size: '5Gi', claims: [], classes: [] }), { kind: 'same' });
  });
});
