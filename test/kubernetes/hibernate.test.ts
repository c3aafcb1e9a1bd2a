/**
 * hibernate on the real single-node Kubernetes: `hibernate: true` leaves the members and the pooler
 * with no pod while their volume claims (the same ones, the data in them), Secrets and Services stay;
 * `hibernate: false` resumes the same cluster (its system identifier, its rows) with every member
 * running and the pooler available again. Then `primary` naming the replica switches over to it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { kubernetesCluster, type Cluster } from './support/cluster';
import { kubernetesStack, type KubernetesStack } from './support/stack';
import { appUser, patroniCluster, serviceUri, superuser } from './support/reach';
import { query } from '../helpers/pg';
import { SequentialWriter } from '../helpers/writer';

const NS = 'pgc-hibernate';
const NAME = 'orders';

describe('hibernate on a real single-node Kubernetes', () => {
  let cluster: Cluster;
  let stack: KubernetesStack;
  let created = false;
  let systemId = '';
  let claims: Record<string, string> = {};

  const onPrimary = async (text: string): Promise<string> => {
    const c = new Client({
      connectionString: await serviceUri(cluster, NS, `${NAME}-rw`, await superuser(cluster, NS, NAME)),
    });
    await c.connect();
    try {
      const row = (await c.query(text)).rows[0] as object | undefined;
      return row ? String(Object.values(row)[0]) : '';
    } finally {
      await c.end();
    }
  };
  const podsOf = async () =>
    (
      await cluster.kubectl([
        'get',
        'pods',
        '-n',
        NS,
        '-l',
        `app.kubernetes.io/instance=${NAME}`,
        '-o',
        'name',
      ])
    ).trim();
  /** Claim name to its UID: the same UID after a resume is the same volume. */
  const claimUids = async (): Promise<Record<string, string>> => {
    const list = JSON.parse(await cluster.kubectl(['get', 'pvc', '-n', NS, '-o', 'json'])) as {
      items: Array<{ metadata: { name: string; uid: string }; status: { phase: string } }>;
    };
    return Object.fromEntries(
      list.items.map((c) => [c.metadata.name, `${c.metadata.uid} ${c.status.phase}`]),
    );
  };

  before(async () => {
    cluster = await kubernetesCluster();
    stack = await kubernetesStack(cluster, 'hibernate', { namespace: NS, instances: '2' });
  });

  after(async () => {
    if (created) await stack.discard([NS]);
    else stack?.remove();
  });

  test('GIVEN a running cluster with rows WHEN hibernate: true THEN no pod is left, the claims and Secrets stay, and a preview is clean', async () => {
    created = true;
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    await onPrimary('create table marker as select g as id from generate_series(1, 1000) g');
    systemId = await onPrimary('select system_identifier from pg_control_system()');
    claims = await claimUids();
    assert.deepEqual(Object.keys(claims).sort(), ['data-orders-1', 'data-orders-2']);
    await stack.project.pulumiOk(['config', 'set', 'hibernate', 'true']);
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    assert.equal(await podsOf(), '', 'no member or pooler pod');
    assert.deepEqual(await claimUids(), claims, 'the same claims, still Bound');
    const secrets = await cluster.kubectl(['get', 'secrets', '-n', NS, '-o', 'name']);
    for (const s of ['orders-superuser', 'orders-app', 'orders-replication'])
      assert.match(secrets, new RegExp(`secret/${s}\\b`));
    assert.equal((await stack.outputs()).primary, '');
    await stack.project.pulumiOk(['preview', '--expect-no-changes']);
  });

  test('GIVEN the hibernated cluster WHEN hibernate: false THEN the same cluster runs again on the same data', async () => {
    await stack.project.pulumiOk(['config', 'set', 'hibernate', 'false']);
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    assert.equal(await onPrimary('select count(*) from marker'), '1000');
    assert.equal(await onPrimary('select system_identifier from pg_control_system()'), systemId);
    assert.deepEqual(await claimUids(), claims);
    const members = (await patroniCluster(cluster, NS, ['orders-1', 'orders-2'])).members;
    assert.equal(members.filter((m) => m.state === 'streaming').length, 1, JSON.stringify(members));
    assert.match(String((await stack.outputs()).primary), /^orders-[12]$/);
    const pooler = await cluster.kubectl([
      'get',
      'deployment',
      'orders-pooler',
      '-n',
      NS,
      '-o',
      'jsonpath={.status.availableReplicas}',
    ]);
    assert.equal(pooler.trim(), '2');
  });

  test('GIVEN writes through the pooler WHEN primary names the replica THEN up switches over to it with the pooler pods PAUSEd: 0 failed writes, 0 lost', async () => {
    const before = String((await stack.outputs()).primary);
    const target = before === 'orders-1' ? 'orders-2' : 'orders-1';
    const pooler = await serviceUri(cluster, NS, `${NAME}-pooler`, await appUser(cluster, NS, NAME), 'app');
    await query(pooler, 'create table if not exists pooled (id int primary key)');
    const writer = new SequentialWriter(pooler, 'pooled', 10);
    writer.start();
    await writer.waitForAcks(20);
    await stack.project.pulumiOk(['config', 'set', 'primary', target]);
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    await writer.waitForAcks(20);
    const report = await writer.stop();
    assert.equal(report.failures, 0, 'no write through the pooler failed');
    const rows = new Set(
      (await query<{ id: number }>(pooler, 'select id from pooled')).map((r) => Number(r.id)),
    );
    assert.deepEqual(
      report.acknowledged.filter((id) => !rows.has(id)),
      [],
      'every acknowledged write is there',
    );
    console.log(
      `switchover through the pooler: ${report.acknowledged.length} writes, 0 failed, longest wait ${report.longestGapMs} ms`,
    );
    assert.equal((await stack.outputs()).primary, target);
    const members = (await patroniCluster(cluster, NS, ['orders-1', 'orders-2'])).members;
    assert.equal(members.find((m) => m.role === 'leader')?.name, target, JSON.stringify(members));
    assert.equal(await onPrimary('select count(*) from marker'), '1000');
    await stack.project.pulumiOk(['preview', '--expect-no-changes']);
  });
});
