import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readinessProvider } from './readiness';

describe('ClusterReady diff', () => {
  const spec = { name: 'orders', platform: { kubernetes: { namespace: 'db' } } };
  const olds = { spec, backupConfigDigests: { 'orders-1': 'a' }, backupSecretVersion: '10' };
  const diff = (news: Record<string, unknown>) => readinessProvider.diff!('db/orders', olds, news);

  test('GIVEN the same inputs WHEN diffed THEN no change (a no-op up checks nothing)', async () => {
    assert.equal((await diff({ ...olds })).changes, false);
  });

  test('GIVEN another spec, member configuration or Secret version WHEN diffed THEN a change: the check runs again', async () => {
    assert.equal((await diff({ ...olds, spec: { ...spec, instances: 3 } })).changes, true);
    assert.equal((await diff({ ...olds, backupConfigDigests: { 'orders-1': 'b' } })).changes, true);
    // The Secret written by an `up` that failed afterwards: the next `up` sees a new version.
    assert.equal((await diff({ ...olds, backupSecretVersion: '12' })).changes, true);
    assert.deepEqual((await diff({ ...olds, backupSecretVersion: '12' })).replaces, []);
  });
});
