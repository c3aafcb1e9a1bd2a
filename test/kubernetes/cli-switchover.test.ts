/**
 * `pgcluster switchover --namespace` on the real single-node Kubernetes (examples/kubernetes, 3
 * synchronous members, 2 PgBouncer pods) under a writer through the pooler Service: the CLI reads
 * the pooler admin's password from the Secret <name>-pooler-admin and PAUSEs the pooler pods around
 * the switchover, as `primary` in the spec does: 0 failed writes, 0 lost, and the password appears
 * in neither the CLI's output nor its arguments.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../helpers/cli';
import { query } from '../helpers/pg';
import { SequentialWriter } from '../helpers/writer';
import { kubernetesCluster, type Cluster } from './support/cluster';
import { kubernetesStack, type KubernetesStack } from './support/stack';
import { appUser, labelledPrimary, secretOf, serviceUri } from './support/reach';

const NS = 'pgc-cli-switch';
const NAME = 'orders';

describe('pgcluster switchover through the pooler on a real single-node Kubernetes', () => {
  let cluster: Cluster;
  let stack: KubernetesStack;
  let created = false;

  before(async () => {
    cluster = await kubernetesCluster();
    stack = await kubernetesStack(cluster, 'cli-switch', { namespace: NS });
    created = true;
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
  });

  after(async () => {
    if (created) await stack.discard([NS]);
    else stack?.remove();
  });

  test('GIVEN writes through the pooler WHEN pgcluster switchover --namespace THEN the pooler pods are PAUSEd around it: 0 failed writes, 0 lost', async () => {
    const [from] = await labelledPrimary(cluster, NS, NAME);
    const admin = await secretOf(cluster, NS, `${NAME}-pooler-admin`);
    assert.equal(admin.username, 'pgbouncer_admin');
    assert.ok((admin.password ?? '').length >= 16, 'the admin password is in the Secret');
    const pooler = await serviceUri(cluster, NS, `${NAME}-pooler`, await appUser(cluster, NS, NAME), 'app');
    await query(pooler, 'create table if not exists cli_pooled (id int primary key)');
    const writer = new SequentialWriter(pooler, 'cli_pooled', 10);
    writer.start();
    // A failure stops the writer too, so that the file's process can end.
    await writer.waitForAcks(20).catch(async (e) => {
      await writer.stop();
      throw e;
    });
    const r = await cli(stack.sandbox.stateDir, [
      'switchover',
      NAME,
      '--kubeconfig',
      cluster.kubeconfig,
      '--namespace',
      NS,
    ]);
    const resumed = await writer.waitForAcks(20).then(
      () => true,
      () => false,
    );
    const report = await writer.stop();
    assert.ok(resumed, 'writes through the pooler resumed after the switchover');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = r.stdout + r.stderr;
    assert.match(out, /paused the pooler in [0-9.]+ s/);
    assert.ok(!out.includes(admin.password as string), 'the password is not in the output');
    assert.equal(
      report.failures,
      0,
      `writes through the pooler failed: ${JSON.stringify(report.errors.slice(0, 3))}`,
    );
    const rows = new Set(
      (await query<{ id: number }>(pooler, 'select id from cli_pooled')).map((x) => Number(x.id)),
    );
    assert.deepEqual(
      report.acknowledged.filter((id) => !rows.has(id)),
      [],
      'every acknowledged write is there',
    );
    const [to] = await labelledPrimary(cluster, NS, NAME);
    assert.notEqual(to, from, 'another member leads');
    console.log(
      `pgcluster switchover ${from} -> ${to} through the pooler: ${report.acknowledged.length} writes, 0 failed, longest wait ${report.longestGapMs} ms\n${r.stdout.trim()}`,
    );
  });
});
