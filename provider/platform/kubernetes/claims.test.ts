import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { claimOf } from './claims';

describe('claimOf', () => {
  test('GIVEN claim names THEN only the StatefulSet templates’ claims of its ordinals are its members’', () => {
    assert.equal(claimOf('orders', 'data-orders-1'), 'data');
    assert.equal(claimOf('orders', 'wal-orders-12'), 'wal');
    assert.equal(claimOf('orders', 'data-orders-archive-1'), undefined, 'another cluster orders-archive');
    assert.equal(claimOf('orders', 'data-orders-'), undefined);
    assert.equal(claimOf('orders', 'data-other-1'), undefined);
    assert.equal(claimOf('orders', 'backup-orders-1'), undefined);
  });
});
