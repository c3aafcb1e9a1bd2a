import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kubernetesResources } from './kubernetes-resources';
import { checkResource, checkResources } from '../../test/helpers/policy-args';
import { captureCluster } from '../../test/helpers/policy-capture';

const K8S = { kubernetes: { namespace: 'db' } };
const FULL = { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } };

describe('policy pgcluster-kubernetes-resources', () => {
  test('GIVEN a captured cluster with cpu/memory requests and a memory limit WHEN checked THEN no violation', async () => {
    assert.deepEqual(
      await checkResources(kubernetesResources, await captureCluster({ platform: K8S, resources: FULL })),
      [],
    );
  });

  test('GIVEN a captured cluster without resources WHEN checked THEN each required field is reported with the cluster, StatefulSet and container', async () => {
    const messages = (await checkResources(kubernetesResources, await captureCluster({ platform: K8S }))).map(
      (v) => v.message,
    );
    const tail =
      ' is not set (StatefulSet orders, container postgres); required: resources.requests.cpu, ' +
      'resources.requests.memory and resources.limits.memory.';
    assert.deepEqual(messages, [
      `PostgresCluster orders: resources.requests.cpu${tail}`,
      `PostgresCluster orders: resources.requests.memory${tail}`,
      `PostgresCluster orders: resources.limits.memory${tail}`,
    ]);
  });

  test('GIVEN only requests WHEN checked THEN only the memory limit is missing; with limits [] in the config, nothing is', async () => {
    const resources = await captureCluster({ platform: K8S, resources: { requests: FULL.requests } });
    const messages = (await checkResources(kubernetesResources, resources)).map((v) => v.message);
    assert.equal(messages.length, 1);
    assert.match(messages[0] as string, /^PostgresCluster orders: resources\.limits\.memory is not set/);
    assert.deepEqual(await checkResources(kubernetesResources, resources, { limits: [] }), []);
  });

  test('GIVEN a config requiring a cpu limit WHEN the cluster has none THEN resources.limits.cpu is reported', async () => {
    const resources = await captureCluster({ platform: K8S, resources: FULL });
    const messages = (
      await checkResources(kubernetesResources, resources, { limits: ['cpu', 'memory'] })
    ).map((v) => v.message);
    assert.equal(messages.length, 1);
    assert.match(
      messages[0] as string,
      /resources\.limits\.cpu is not set .*required: .*resources\.limits\.cpu and resources\.limits\.memory\.$/,
    );
  });

  test('GIVEN a StatefulSet not made by pgcluster WHEN it has no resources THEN it is not this policy’s business', async () => {
    const other = {
      type: 'kubernetes:apps/v1:StatefulSet',
      name: 'redis',
      props: {
        metadata: { name: 'redis' },
        spec: {
          template: { metadata: { labels: { app: 'redis' } }, spec: { containers: [{ name: 'redis' }] } },
        },
      },
    };
    assert.deepEqual(await checkResource(kubernetesResources, other), []);
  });

  test('GIVEN a request of "0" WHEN checked THEN it counts as not set and the value is shown', async () => {
    const resources = await captureCluster({
      platform: K8S,
      resources: { requests: { cpu: '0', memory: '1Gi' }, limits: { memory: '1Gi' } },
    });
    const messages = (await checkResources(kubernetesResources, resources)).map((v) => v.message);
    assert.equal(messages.length, 1);
    assert.match(messages[0] as string, /resources\.requests\.cpu is "0"/);
  });
});
