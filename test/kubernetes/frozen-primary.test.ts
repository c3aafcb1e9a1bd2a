/**
 * A frozen primary on the real single-node Kubernetes (examples/kubernetes, 3 synchronous members,
 * ha.ttl 20): every process of the primary pod's postgres container is SIGSTOPped from the host, as
 * a paused VM, for 26 s (past the TTL), then SIGCONTed. Meanwhile a writer goes through -rw and a
 * probe asks every member, every 100 ms, to commit an insert with synchronous_commit = local. The
 * member that takes over runs the pre_promote fencing script, which deletes the frozen pod and waits
 * for the kubelet to confirm its containers gone before promoting: 0 moments when two members
 * accepted a write, 0 acknowledged writes lost, the fence in the new primary's log, and the old pod
 * back as a streaming replica. Prints the RTO (the writer's longest gap).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { query, sleep, waitFor } from '../helpers/pg';
import { SequentialWriter } from '../helpers/writer';
import { DualPrimaryProbe, dualPrimaryMoments } from '../../bench/lib/chaos';
import { kubernetesCluster, PATHS, type Cluster } from './support/cluster';
import { kubernetesStack, type KubernetesStack } from './support/stack';
import { labelledPrimary, patroniCluster, serviceUri, superuser } from './support/reach';

const run = promisify(execFile);
const NS = 'pgc-frozen';
const NAME = 'orders';
const PODS = ['orders-1', 'orders-2', 'orders-3'];
const FREEZE_MS = 26_000;

describe('a frozen primary on a real single-node Kubernetes', () => {
  let cluster: Cluster;
  let stack: KubernetesStack;
  let created = false;

  before(async () => {
    cluster = await kubernetesCluster();
    stack = await kubernetesStack(cluster, 'frozen', { namespace: NS });
    created = true;
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
  });

  after(async () => {
    if (created) await stack.discard([NS]);
    else stack?.remove();
  });

  async function healthy(): Promise<string> {
    return waitFor(
      'the cluster to be healthy',
      async () => {
        const c = await patroniCluster(cluster, NS, PODS).catch(() => undefined);
        const leader = c?.members.find((m) => m.role === 'leader');
        const streaming = c?.members.filter((m) => m.state === 'streaming').length ?? 0;
        const labelled = await labelledPrimary(cluster, NS, NAME);
        return leader && streaming === PODS.length - 1 && labelled.join() === leader.name
          ? leader.name
          : undefined;
      },
      180_000,
    );
  }

  /** The host PIDs of every process of a pod's postgres container (containerd's view). */
  async function containerPids(pod: string): Promise<number[]> {
    const id = (
      await cluster.kubectl([
        '-n',
        NS,
        'get',
        'pod',
        pod,
        '-o',
        'jsonpath={.status.containerStatuses[?(@.name=="postgres")].containerID}',
      ])
    ).replace(/^containerd:\/\//, '');
    const socket = `${PATHS.STATE}/containerd/containerd.sock`;
    const { stdout } = await run('ctr', ['--address', socket, '-n', 'k8s.io', 'tasks', 'ps', id]);
    return stdout
      .split('\n')
      .slice(1)
      .map((l) => Number(l.trim().split(/\s+/)[0]))
      .filter((p) => Number.isInteger(p) && p > 0);
  }

  function signal(pids: number[], sig: NodeJS.Signals): void {
    for (const p of pids) {
      try {
        process.kill(p, sig);
      } catch {
        // gone (the fence killed it)
      }
    }
  }

  test('GIVEN writes and a 100 ms probe on every member WHEN the primary pod is frozen past the TTL and thawed THEN it is fenced before the promotion: 0 dual-primary moments, 0 acknowledged writes lost', async () => {
    const primary = await healthy();
    const su = await superuser(cluster, NS, NAME);
    const rw = await serviceUri(cluster, NS, `${NAME}-rw`, su);
    await query(rw, 'create table if not exists frozen_w (id int primary key)');
    await query(rw, 'create table if not exists chaos_probe (member text, at timestamptz default now())');
    const ips = await Promise.all(
      PODS.map(async (pod) =>
        (await cluster.kubectl(['-n', NS, 'get', 'pod', pod, '-o', 'jsonpath={.status.podIP}'])).trim(),
      ),
    );
    const members = PODS.map((name, i) => ({
      name,
      uri: `postgresql://${encodeURIComponent(su.user)}:${encodeURIComponent(su.password)}@${ips[i]}:5432/postgres`,
    }));
    const probe = new DualPrimaryProbe(members);
    probe.start();
    const writer = new SequentialWriter(rw, 'frozen_w', 10);
    writer.start();
    await writer.waitForAcks(20);
    await waitFor(
      'the probe to commit on the primary',
      async () => probe.commits.length > 5 || undefined,
      30_000,
    );

    // Freeze: twice, so that a process forked while the first pass ran is stopped too.
    const frozenAt = Date.now();
    const pids = await containerPids(primary);
    signal(pids, 'SIGSTOP');
    const all = [...new Set([...pids, ...(await containerPids(primary).catch(() => []))])];
    signal(all, 'SIGSTOP');
    await sleep(FREEZE_MS);
    signal(all, 'SIGCONT');
    const thawedAt = Date.now();

    let after: string;
    try {
      await writer.waitForAcks(20, 120_000);
      after = await healthy();
    } catch (e) {
      // What the members and the kubelet say, for the failure's reader.
      console.log(await cluster.kubectl(['-n', NS, 'get', 'pods', '-o', 'wide', '-L', 'role']).catch(String));
      for (const pod of PODS)
        console.log(
          `--- ${pod}\n`,
          await cluster.kubectl(['-n', NS, 'logs', pod, '-c', 'postgres', '--tail', '80']).catch(String),
        );
      await probe.stop();
      await writer.stop();
      throw e;
    }
    await sleep(2000);
    await probe.stop();
    const report = await writer.stop();

    assert.notEqual(after, primary, 'another member was promoted');
    const dual = dualPrimaryMoments(probe.commits);
    assert.deepEqual(dual, [], `dual-primary moments: ${JSON.stringify(dual.slice(0, 3))}`);
    const byMember = new Set(probe.commits.map((c) => c.member));
    assert.ok(
      byMember.has(primary) && byMember.has(after),
      'the probe committed on the old and the new primary',
    );
    const rows = new Set(
      (await query<{ id: number }>(rw, 'select id from frozen_w')).map((r) => Number(r.id)),
    );
    const lost = report.acknowledged.filter((id) => !rows.has(id));
    assert.deepEqual(lost, [], `acknowledged writes lost: ${lost.length}`);
    const log = await cluster.kubectl(['-n', NS, 'logs', after, '-c', 'postgres']);
    const fenced = log
      .split('\n')
      .filter((l) => l.includes('fence-old-primary') && l.includes(`${primary}: fenced`));
    assert.ok(fenced.length > 0, `the new primary's log shows the fence of ${primary}:\n${log.slice(-3000)}`);
    const firstNew = Math.min(...probe.commits.filter((c) => c.member === after).map((c) => c.from));
    console.log(
      `frozen primary ${primary} (${FREEZE_MS / 1000} s, thawed at +${((thawedAt - frozenAt) / 1000).toFixed(1)} s): ` +
        `${after} accepted writes ${((firstNew - frozenAt) / 1000).toFixed(1)} s after the freeze; writer RTO ` +
        `${(report.longestGapMs / 1000).toFixed(1)} s; ${report.acknowledged.length} acked, 0 lost; ` +
        `${probe.attempts} probe attempts, ${probe.commits.length} commits, 0 dual-primary moments; ${fenced[0]?.trim()}`,
    );
  });
});
