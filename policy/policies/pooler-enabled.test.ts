import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { poolerEnabled } from './pooler-enabled';
import { checkResources } from '../../test/helpers/policy-args';
import { captureCluster } from '../../test/helpers/policy-capture';

describe('policy pgcluster-pooler-enabled', () => {
  test('GIVEN captured clusters with the default pooler on both platforms WHEN checked THEN no violation', async () => {
    for (const platform of [{ kubernetes: {} }, { local: {} }])
      assert.deepEqual(await checkResources(poolerEnabled, await captureCluster({ platform })), []);
  });

  test('GIVEN a captured kubernetes cluster with pooler.enabled false WHEN checked THEN the field, value and requirement are reported once', async () => {
    const resources = await captureCluster({ platform: { kubernetes: {} }, pooler: { enabled: false } });
    assert.ok(!resources.some((r) => r.name === 'orders-pooler'), 'no pooler Deployment is created');
    assert.deepEqual(
      (await checkResources(poolerEnabled, resources)).map((v) => v.message),
      [
        'PostgresCluster orders: pooler.enabled is false; required: true (the application connects through ' +
          'PgBouncer, which follows the primary across failovers and switchovers).',
      ],
    );
  });
});
