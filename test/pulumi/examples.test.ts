/**
 * The examples type-check (tsc covers examples/) and run under mocks: each registers its cluster
 * and exports the outputs a user reads.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { settle, setupMocks, valueOf } from '../helpers/pulumi-mocks';
import { validateKubernetesObject } from '../helpers/k8s-openapi';

describe('examples (mocks)', () => {
  test('GIVEN examples/kubernetes WHEN run THEN a valid 3-member cluster with a pooler, outputs exported', async () => {
    const { resources } = setupMocks();
    const program = await import('../../examples/kubernetes/index');
    await valueOf(program.endpoints);
    await settle(resources);
    const sts = resources.find((r) => r.type === 'kubernetes:apps/v1:StatefulSet');
    assert.equal((sts?.inputs.spec as { replicas: number }).replicas, 3);
    for (const r of resources.filter((x) => x.type.startsWith('kubernetes:')))
      validateKubernetesObject(r.inputs);
    assert.equal((await valueOf(program.endpoints)).pooler, 'orders-pooler.databases.svc:5432');
    assert.equal(await valueOf(program.appSecret), 'orders-app');
  });

  test('GIVEN examples/local WHEN run THEN one local-cluster dynamic resource with the example spec', async () => {
    const { resources } = setupMocks();
    const program = await import('../../examples/local/index');
    await valueOf(program.connectionUri.apply(() => true));
    await settle(resources);
    const local = resources.find((r) => r.type === 'pulumi-nodejs:dynamic/pgcluster:LocalCluster');
    const spec = local?.inputs.spec as { instances: number; synchronous: { dataDurability: string } };
    assert.equal(spec.instances, 3);
    assert.equal(spec.synchronous.dataDurability, 'required');
  });
});
