import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { productionHa } from './production-ha';
import { checkResource, checkResources } from '../../test/helpers/policy-args';
import { captureCluster } from '../../test/helpers/policy-capture';

const LOCAL = 'pulumi-nodejs:dynamic/pgcluster:LocalCluster';

function localSpec(spec: Record<string, unknown>, stack: string) {
  return {
    type: LOCAL,
    name: 'orders-local',
    stack,
    parentType: 'pgcluster:index:PostgresCluster',
    props: {
      stateDir: '/tmp/x',
      spec: { name: 'orders', instances: 3, pooler: { enabled: true }, roles: [], ...spec },
    },
  };
}

const SYNC = { number: 1, dataDurability: 'required' };

describe('policy pgcluster-production-ha', () => {
  test('GIVEN a captured 3-instance synchronous kubernetes cluster in stack prod WHEN checked THEN no violation', async () => {
    const resources = await captureCluster(
      { instances: 3, synchronous: SYNC, platform: { kubernetes: { namespace: 'db' } } },
      { stack: 'prod' },
    );
    assert.deepEqual(await checkResources(productionHa, resources), []);
  });

  test('GIVEN a captured 1-instance asynchronous local cluster in stack prod WHEN checked THEN instances and synchronous are refused, naming cluster, stack, value and requirement', async () => {
    const resources = await captureCluster({ instances: 1, platform: { local: {} } }, { stack: 'prod' });
    const messages = (await checkResources(productionHa, resources)).map((v) => v.message);
    assert.deepEqual(messages, [
      'PostgresCluster orders in production stack prod: instances is 1; required: at least 3 (a primary and replicas to fail over to).',
      'PostgresCluster orders in production stack prod: synchronous is not set (asynchronous replication: a failover may lose acknowledged writes); required: synchronous replication, e.g. synchronous: {number: 1, dataDurability: "required"}.',
    ]);
  });

  test('GIVEN the same cluster in stack dev WHEN checked with the default config THEN no violation', async () => {
    const resources = await captureCluster({ instances: 1, platform: { local: {} } }, { stack: 'dev' });
    assert.deepEqual(await checkResources(productionHa, resources), []);
  });

  const stacks: Array<[string, object, boolean]> = [
    ['prod', {}, true],
    ['production-eu', {}, true],
    ['Prod-US', {}, true],
    ['preprod', {}, false],
    ['staging', {}, false],
    ['live-eu', { productionStacks: ['live-*'] }, true],
    ['prod', { productionStacks: ['live-*'] }, false],
    ['prd1', { productionStacks: ['prd?'] }, true],
  ];
  for (const [stack, config, production] of stacks)
    test(`GIVEN stack ${stack} and config ${JSON.stringify(config)} WHEN a 2-instance async cluster is checked THEN it is ${production ? 'refused' : 'accepted'}`, async () => {
      const violations = await checkResource(productionHa, localSpec({ instances: 2 }, stack), config);
      assert.equal(violations.length, production ? 2 : 0, JSON.stringify(violations));
    });

  test('GIVEN minInstances 5 in the config WHEN a 3-instance synchronous cluster is checked in prod THEN instances is refused with 5 as the requirement', async () => {
    const violations = await checkResource(productionHa, localSpec({ synchronous: SYNC }, 'prod'), {
      minInstances: 5,
    });
    assert.deepEqual(
      violations.map((v) => v.message),
      [
        'PostgresCluster orders in production stack prod: instances is 3; required: at least 5 (a primary and replicas to fail over to).',
      ],
    );
  });

  test('GIVEN strictSynchronous WHEN dataDurability is preferred THEN it is refused; required passes', async () => {
    const preferred = localSpec({ synchronous: { number: 1, dataDurability: 'preferred' } }, 'prod');
    const [violation, ...rest] = await checkResource(productionHa, preferred, { strictSynchronous: true });
    assert.equal(rest.length, 0);
    assert.match(
      violation?.message ?? '',
      /synchronous\.dataDurability is "preferred"; required: "required"/,
    );
    assert.deepEqual(
      await checkResource(productionHa, localSpec({ synchronous: SYNC }, 'prod'), {
        strictSynchronous: true,
      }),
      [],
    );
    assert.deepEqual(await checkResource(productionHa, preferred), []);
  });

  test('GIVEN a resource that carries no cluster spec WHEN checked in prod THEN nothing is reported', async () => {
    const other = {
      type: 'kubernetes:apps/v1:StatefulSet',
      name: 'x',
      stack: 'prod',
      props: { spec: { replicas: 1 } },
    };
    assert.deepEqual(await checkResource(productionHa, other), []);
  });
});
