/**
 * Fencing on the real single-node Kubernetes (examples/kubernetes, 3 synchronous members), checked
 * by its effect: `fenced: [a replica]` through `pulumi up` stops PostgreSQL there (no connection to
 * the pod's address), keeps the pod (same UID) and its claim, and when the primary's pod is deleted
 * another member, not the fenced one, is promoted; unfencing brings it back streaming. Then
 * `pgcluster fence` of the primary switches over first, fences it, and `pgcluster unfence` brings
 * it back as a streaming replica.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { cli } from '../helpers/cli';
import { waitFor } from '../helpers/pg';
import { kubernetesCluster, type Cluster } from './support/cluster';
import { kubernetesStack, type KubernetesStack } from './support/stack';
import { labelledPrimary, patroniCluster, superuser, type Credentials } from './support/reach';

const NS = 'pgc-fencing';
const NAME = 'orders';
const PODS = ['orders-1', 'orders-2', 'orders-3'];

describe('fencing on a real single-node Kubernetes', () => {
  let cluster: Cluster;
  let stack: KubernetesStack;
  let su: Credentials;
  let target: string[];
  let created = false;

  before(async () => {
    cluster = await kubernetesCluster();
    stack = await kubernetesStack(cluster, 'fencing', { namespace: NS });
    created = true;
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    su = await superuser(cluster, NS, NAME);
    target = ['--kubeconfig', cluster.kubeconfig, '--namespace', NS];
  });

  after(async () => {
    if (created) await stack.discard([NS]);
    else stack?.remove();
  });

  const pod = async (name: string) =>
    JSON.parse(await cluster.kubectl(['-n', NS, 'get', 'pod', name, '-o', 'json'])) as {
      metadata: { uid: string };
      status: {
        podIP: string;
        conditions?: Array<{ type: string; status: string }>;
        containerStatuses?: Array<{ name: string; restartCount: number }>;
      };
    };

  /** Whether PostgreSQL on the pod's own address accepts a connection (the error when not). */
  async function accepts(name: string): Promise<true | string> {
    const client = new Client({
      host: (await pod(name)).status.podIP,
      port: 5432,
      user: su.user,
      password: su.password,
      database: 'postgres',
      connectionTimeoutMillis: 3000,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (e) {
      return (e as Error).message;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** The unfenced members healthy: one leader, the others streaming; the fenced one absent or stopped. */
  async function healthy(fenced: string[] = []): Promise<string> {
    const serving = PODS.filter((p) => !fenced.includes(p));
    return waitFor(
      'the unfenced members to be healthy',
      async () => {
        const c = await patroniCluster(cluster, NS, serving).catch(() => undefined);
        const leader = c?.members.find((m) => m.role === 'leader');
        const streaming = c?.members.filter((m) => serving.includes(m.name) && m.state === 'streaming');
        const labelled = await labelledPrimary(cluster, NS, NAME);
        return leader && streaming?.length === serving.length - 1 && labelled.join() === leader.name
          ? leader.name
          : undefined;
      },
      240_000,
    );
  }

  test('GIVEN fenced [a replica] WHEN pulumi up THEN it accepts no connection, keeps its pod and claim, is not promoted when the primary pod is deleted, and unfencing brings it back streaming', async () => {
    const primary = await healthy();
    const member = PODS.find((p) => p !== primary) as string;
    const before = await pod(member);
    const claim = (
      await cluster.kubectl(['-n', NS, 'get', 'pvc', `data-${member}`, '-o', 'jsonpath={.metadata.uid}'])
    ).trim();
    assert.equal(await accepts(member), true, 'it serves before');

    await stack.project.pulumiOk(['config', 'set', 'fenced', JSON.stringify([member])]);
    const t0 = Date.now();
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    const upS = (Date.now() - t0) / 1000;
    const refused = await accepts(member);
    assert.notEqual(refused, true, `${member} is fenced: no connection`);
    const fencedPod = await pod(member);
    assert.equal(fencedPod.metadata.uid, before.metadata.uid, 'the same pod');
    const restarts = (p: typeof before) =>
      p.status.containerStatuses?.find((c) => c.name === 'postgres')?.restartCount;
    if (restarts(fencedPod) !== restarts(before))
      assert.fail(
        `the container was restarted; its previous log:\n${await cluster
          .kubectl(['-n', NS, 'logs', member, '-c', 'postgres', '--previous', '--tail', '60'])
          .catch(String)}\n${await cluster
          .kubectl(['-n', NS, 'get', 'events', '--field-selector', `involvedObject.name=${member}`])
          .catch(String)}`,
      );
    // The kubelet's readiness probe (every 5 s, 3 failures) then takes the pod out of the Services.
    await waitFor(
      'the fenced pod to be not Ready (no Service sends it clients)',
      async () =>
        (await pod(member)).status.conditions?.find((c) => c.type === 'Ready')?.status === 'False' ||
        undefined,
      60_000,
    );
    assert.equal(
      (
        await cluster.kubectl(['-n', NS, 'get', 'pvc', `data-${member}`, '-o', 'jsonpath={.metadata.uid}'])
      ).trim(),
      claim,
      'the same claim',
    );

    // The primary's pod deleted: the other unfenced member is promoted, never the fenced one.
    await cluster.kubectl(['-n', NS, 'delete', 'pod', primary, '--wait=false']);
    const other = PODS.find((p) => p !== primary && p !== member) as string;
    const next = await waitFor(
      'a new primary',
      async () => {
        const l = await labelledPrimary(cluster, NS, NAME);
        return l.length === 1 && l[0] !== primary ? l[0] : undefined;
      },
      120_000,
    );
    assert.equal(next, other, 'the unfenced replica is promoted');
    await healthy([member]);
    assert.notEqual(await accepts(member), true, 'still fenced after the failover');
    assert.deepEqual(await labelledPrimary(cluster, NS, NAME), [other]);

    await stack.project.pulumiOk(['config', 'rm', 'fenced']);
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    await healthy();
    assert.equal(await accepts(member), true, 'unfenced: it serves again');
    const c = await patroniCluster(cluster, NS, PODS);
    assert.equal(c.members.find((m) => m.name === member)?.state, 'streaming');
    console.log(
      `fenced ${member} by spec (pulumi up ${upS.toFixed(1)} s): refused "${refused}"; ${other} promoted`,
    );
  });

  test('GIVEN the primary WHEN pgcluster fence --namespace THEN it switches over first and fences it; pgcluster unfence brings it back streaming', async () => {
    const primary = await healthy();
    const fenced = await cli(stack.sandbox.stateDir, ['fence', NAME, primary, ...target]);
    assert.equal(fenced.code, 0, fenced.stderr + fenced.stdout);
    assert.match(fenced.stdout + fenced.stderr, new RegExp(`${primary} is the primary: switching over to`));
    assert.match(fenced.stdout + fenced.stderr, new RegExp(`fenced ${primary} in [0-9.]+ s`));
    assert.notEqual(await accepts(primary), true, 'fenced: no connection');
    const now = await labelledPrimary(cluster, NS, NAME);
    assert.equal(now.length, 1);
    assert.notEqual(now[0], primary);
    const twice = await cli(stack.sandbox.stateDir, [
      'fence',
      NAME,
      PODS.find((p) => p !== primary && p !== now[0]) as string,
      ...target,
    ]);
    assert.equal(twice.code, 2, 'fencing a second member of 3 in synchronous mode is refused');
    assert.match(twice.stderr, /at least 2 member\(s\) must stay unfenced/);

    const unfenced = await cli(stack.sandbox.stateDir, ['unfence', NAME, primary, ...target]);
    assert.equal(unfenced.code, 0, unfenced.stderr + unfenced.stdout);
    assert.match(unfenced.stdout + unfenced.stderr, new RegExp(`unfenced ${primary} in [0-9.]+ s`));
    await healthy();
    assert.equal(await accepts(primary), true);
    console.log(`${fenced.stdout.trim()} / ${unfenced.stdout.trim()}`);
  });
});
