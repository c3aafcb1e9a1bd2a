/**
 * Failures of a synchronous 3-member cluster (examples/kubernetes) on the real single-node
 * Kubernetes, under a writer through the -rw ClusterIP: the primary pod deleted, then only its
 * postmaster killed; each time -rw follows, writes resume, no acknowledged write is lost and every
 * member serves again; the same when the primary's container is killed from the host, where a
 * member's peer watch releases the dead primary's lock. Then the PodDisruptionBudget refuses a second eviction, and `instances`
 * 3 -> 2 through `pulumi up` (removedMemberData: delete) moves the primary off the removed ordinal
 * first, and the StatefulSet deletes the removed member's claim.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { query, waitFor } from '../helpers/pg';
import { SequentialWriter } from '../helpers/writer';
import { kubernetesCluster, type Cluster } from './support/cluster';
import { kubernetesStack, type KubernetesStack } from './support/stack';
import { labelledPrimary, PATRONI_IN_POD, patroniCluster, serviceUri, superuser } from './support/reach';
import { containerKill } from './support/faults';

const NS = 'pgc-failover';
const NAME = 'orders';
const PODS = ['orders-1', 'orders-2', 'orders-3'];

describe('failover on a real single-node Kubernetes', () => {
  let cluster: Cluster;
  let stack: KubernetesStack;
  let rw: string;
  let created = false;

  before(async () => {
    cluster = await kubernetesCluster();
    stack = await kubernetesStack(cluster, 'failover', { namespace: NS });
    created = true;
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    rw = await serviceUri(cluster, NS, `${NAME}-rw`, await superuser(cluster, NS, NAME));
    await query(rw, 'create table if not exists w (id int primary key)');
  });

  after(async () => {
    if (created) await stack.discard([NS]);
    else stack?.remove();
  });

  /** Every member back: 1 leader and the others streaming, the primary label on the leader only. */
  async function healthy(members = PODS): Promise<string> {
    return waitFor(
      'the cluster to be healthy again',
      async () => {
        const c = await patroniCluster(cluster, NS, members).catch(() => undefined);
        const leader = c?.members.find((m) => m.role === 'leader');
        const streaming = c?.members.filter((m) => m.state === 'streaming').length ?? 0;
        const labelled = await labelledPrimary(cluster, NS, NAME);
        return leader && streaming === members.length - 1 && labelled.join() === leader.name
          ? leader.name
          : undefined;
      },
      120_000,
    );
  }

  /** Runs the writer around `fault`; returns the outage and checks that no acknowledged write is lost. */
  async function underWrites(table: string, fault: (primary: string) => Promise<void>) {
    await query(rw, `create table if not exists ${table} (id int primary key)`);
    const before = await healthy();
    const writer = new SequentialWriter(rw, table, 10);
    writer.start();
    await writer.waitForAcks(20);
    const failuresBefore = writer.report.failures;
    const gapBefore = writer.report.longestGapMs;
    await fault(before);
    // The fault is felt (a write failed), then writes resume.
    await waitFor(
      'a write to fail',
      async () => writer.report.failures > failuresBefore || undefined,
      60_000,
    );
    await writer.waitForAcks(20, 120_000);
    const report = await writer.stop();
    assert.ok(report.longestGapMs > gapBefore, 'the outage is the longest gap between acknowledged writes');
    const after = await healthy();
    const rows = new Set(
      (await query<{ id: number }>(rw, `select id from ${table}`)).map((r) => Number(r.id)),
    );
    const lost = report.acknowledged.filter((id) => !rows.has(id));
    assert.deepEqual(lost, [], `acknowledged writes lost: ${lost.length}`);
    return { before, after, outageMs: report.longestGapMs, report };
  }

  test('GIVEN writes through -rw WHEN the primary pod is deleted THEN a new primary, -rw follows, writes resume, 0 acknowledged writes lost, the old pod rejoins', async () => {
    const r = await underWrites('w_delete', async (primary) => {
      await cluster.kubectl(['-n', NS, 'delete', 'pod', primary, '--wait=false']);
    });
    assert.notEqual(r.after, r.before, 'another member was promoted');
    console.log(
      `pod delete: write outage ${(r.outageMs / 1000).toFixed(1)} s, ${r.report.acknowledged.length} acked, 0 lost`,
    );
  });

  test('GIVEN writes through -rw WHEN only the postmaster is killed inside the primary pod THEN writes resume with 0 acknowledged writes lost and every member serves', async () => {
    const r = await underWrites('w_kill', async (primary) => {
      await cluster.kubectl([
        '-n',
        NS,
        'exec',
        primary,
        '--',
        'sh',
        '-c',
        'kill -9 "$(head -n 1 /var/lib/postgresql/data/pgdata/postmaster.pid)"',
      ]);
    });
    console.log(
      `postmaster kill: write outage ${(r.outageMs / 1000).toFixed(1)} s, ${r.report.acknowledged.length} acked, 0 lost`,
    );
  });

  test("GIVEN writes through -rw WHEN the primary's container is killed from the host THEN a peer watch releases its lock, another member is promoted well before the TTL, 0 acknowledged writes lost", async () => {
    const r = await underWrites('w_container', (primary) => containerKill(cluster, NS, primary));
    assert.notEqual(r.after, r.before, 'another member was promoted');
    const logs = await Promise.all(
      PODS.filter((p) => p !== r.before).map((p) =>
        cluster.kubectl(['-n', NS, 'logs', p, '-c', 'peer-watch']),
      ),
    );
    assert.ok(
      logs.some((l) => l.includes(`released the leader lock of ${r.before}: its postgres container died`)),
      logs.join('\n'),
    );
    // ha.ttl is 20 s: without the watch the lock outlives the container that held it.
    assert.ok(r.outageMs < 12_000, `write outage ${r.outageMs} ms`);
    console.log(
      `container kill: write outage ${(r.outageMs / 1000).toFixed(1)} s, ${r.report.acknowledged.length} acked, 0 lost`,
    );
  });

  test('GIVEN one replica evicted WHEN a second member is evicted THEN the eviction API refuses it (PodDisruptionBudget)', async () => {
    const primary = await healthy();
    const replicas = PODS.filter((p) => p !== primary);
    // The budget counts Ready pods: a member Patroni calls healthy after the last test may not be
    // Ready to the kubelet yet, and then the first eviction is the one refused.
    await waitFor('the disruption budget to count every member Ready', async () => {
      const out = await cluster.kubectl([
        '-n',
        NS,
        'get',
        'pdb',
        'orders',
        '-o',
        'jsonpath={.status.currentHealthy}/{.status.expectedPods}',
      ]);
      return out.trim() === `${PODS.length}/${PODS.length}` ? true : undefined;
    });
    const core = cluster.config.makeApiClient(CoreV1Api);
    const evict = (pod: string) =>
      core.createNamespacedPodEviction({
        name: pod,
        namespace: NS,
        body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: NS } },
      });
    await evict(replicas[0] as string);
    await assert.rejects(evict(replicas[1] as string), (e: unknown) => {
      const err = e as { code?: number; body?: unknown };
      assert.equal(err.code, 429, String(e));
      assert.match(JSON.stringify(err.body), /disruption budget/i);
      return true;
    });
    await healthy();
  });

  test('GIVEN the primary on orders-3 WHEN instances 3 -> 2 with removedMemberData delete THEN the guard switches over first, orders-3 goes with its claim', async () => {
    let primary = await healthy();
    if (primary !== 'orders-3') {
      await cluster.kubectl([
        '-n',
        NS,
        'exec',
        primary,
        '--',
        'python3',
        '-c',
        `${PATRONI_IN_POD}urllib.request.urlopen(urllib.request.Request(base+"/switchover",` +
          `data=json.dumps({"leader":"${primary}","candidate":"orders-3"}).encode(),method="POST"),timeout=30,context=ctx)`,
      ]);
      primary = await healthy();
    }
    assert.equal(primary, 'orders-3');
    await query(rw, 'create table if not exists scale (id int primary key)');
    await query(rw, 'insert into scale values (1)');
    await stack.project.pulumiOk(['config', 'set', 'instances', '2']);
    await stack.project.pulumiOk(['config', 'set', 'removedMemberData', 'delete']);
    const up = await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    assert.match(up, /ScaleDownGuard/);
    const after = await healthy(['orders-1', 'orders-2']);
    assert.ok(['orders-1', 'orders-2'].includes(after), after);
    const pods = await cluster.kubectl(['-n', NS, 'get', 'pods', '-l', `cluster-name=${NAME}`, '-o', 'name']);
    await waitFor(
      'orders-3 to be gone',
      async () =>
        !(await cluster.kubectl(['-n', NS, 'get', 'pods', '-o', 'name'])).includes('pod/orders-3') ||
        undefined,
      60_000,
    );
    assert.doesNotMatch(pods.replace('pod/orders-3', ''), /orders-3/);
    const rows = await query<{ id: number }>(rw, 'select id from scale');
    assert.equal(rows.length, 1);
    // The StatefulSet deletes the removed member's claim (whenScaled: Delete); the others stay.
    const claims = async () =>
      (await cluster.kubectl(['-n', NS, 'get', 'pvc', '-o', 'name'])).trim().split('\n');
    await waitFor(
      'the claim data-orders-3 to be deleted',
      async () => !(await claims()).includes('persistentvolumeclaim/data-orders-3') || undefined,
      60_000,
    );
    assert.deepEqual((await claims()).sort(), [
      'persistentvolumeclaim/data-orders-1',
      'persistentvolumeclaim/data-orders-2',
    ]);
  });
});
