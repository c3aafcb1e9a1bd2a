/**
 * What `pulumi up` says on the real single-node Kubernetes when a cluster cannot come up: a claim of
 * a StorageClass that does not exist, an image that is not there, and (at preview, before anything
 * is created) a postgresVersion without an image. Each fails well before the readiness timeout,
 * naming what to change.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kubernetesCluster, type Cluster } from './support/cluster';
import { kubernetesStack, type KubernetesStack } from './support/stack';

/** Far above what a fatal finding takes to end the wait (a few seconds), far below the default 600 s. */
const READY_TIMEOUT_S = 240;

describe('refusals on a real single-node Kubernetes', () => {
  let cluster: Cluster;
  const stacks: KubernetesStack[] = [];

  before(async () => {
    cluster = await kubernetesCluster();
  });

  after(async () => {
    for (const s of stacks) {
      await s.project.pulumi(['destroy', '--yes']);
      s.remove();
    }
  });

  async function failedUp(label: string, config: Record<string, string>) {
    const stack = await kubernetesStack(cluster, label, config);
    stack.sandbox.env.PGCLUSTER_READY_TIMEOUT_S = String(READY_TIMEOUT_S);
    stacks.push(stack);
    const started = Date.now();
    const run = await stack.project.pulumi(['up', '--yes', '--skip-preview']);
    return { run, seconds: (Date.now() - started) / 1000 };
  }

  test('GIVEN a StorageClass that does not exist WHEN pulumi up THEN it fails within its timeout naming the claim and the class', async () => {
    const { run, seconds } = await failedUp('no-class', { namespace: 'pgc-no-class', storageClass: 'nope' });
    assert.notEqual(run.code, 0, run.output);
    assert.match(
      run.output,
      // The node's classes: local-path, and those another file creates meanwhile (storage-growth's).
      /claim data-orders-\d is Pending: its StorageClass "nope" does not exist \(classes: ([\w-]+, )*local-path(, [\w-]+)*\)/,
    );
    assert.ok(seconds < READY_TIMEOUT_S, `failed after ${seconds} s, not at the timeout`);
  });

  test('GIVEN an image that is not on the node and imagePullPolicy Never WHEN pulumi up THEN it fails naming the pod and the image', async () => {
    const { run, seconds } = await failedUp('no-image', {
      namespace: 'pgc-no-image',
      postgresVersion: '17',
      imagePullPolicy: 'Never',
    });
    assert.notEqual(run.code, 0, run.output);
    assert.match(run.output, /pod orders-\S+ container (postgres|pgbouncer): ErrImageNeverPull/);
    assert.match(run.output, /ghcr\.io\/pgcluster\/postgres:17-patroni/);
    assert.ok(seconds < READY_TIMEOUT_S, `failed after ${seconds} s, not at the timeout`);
  });

  test('GIVEN postgresVersion 16 (no image) WHEN pulumi preview THEN it is refused naming the field, the value and the majors with an image', async () => {
    const stack = await kubernetesStack(cluster, 'pg16', { namespace: 'pgc-pg16', postgresVersion: '16' });
    stacks.push(stack);
    const run = await stack.project.pulumi(['preview']);
    assert.notEqual(run.code, 0, run.output);
    assert.match(run.output, /postgresVersion: 16 has no image on the kubernetes platform/);
    assert.match(run.output, /choose one of 15, 17/);
  });
});
