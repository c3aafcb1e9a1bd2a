/**
 * Storage growth on the real single-node Kubernetes: a 2-member cluster on a StorageClass of the
 * test's own (the node's local-path provisioner, allowVolumeExpansion: true) grows from 1Gi to 2Gi
 * with `pulumi up`: every claim's requested size is patched, the StatefulSet is recreated with the
 * new claim template and adopts the running pods (the same pod UIDs, no container restart, the same
 * postmaster start time), and the rows are there. local-path cannot resize a volume (it has no
 * resizer; its volumes are directories of the node), so the claims' status.capacity stays 1Gi: what
 * this checks is the API side. A shrink, and a growth once the class no longer allows expansion,
 * are refused at preview, naming the sizes and the class. Destroying the members (the namespace
 * kept) leaves no pod and keeps the claims.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { kubernetesCluster, type Cluster } from './support/cluster';
import { kubernetesStack, type KubernetesStack } from './support/stack';
import { serviceUri, superuser } from './support/reach';

const NS = 'pgc-storage';
const NAME = 'orders';
const CLASS = 'pgc-storage-expandable';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('storage growth on a real single-node Kubernetes', () => {
  let cluster: Cluster;
  let stack: KubernetesStack;
  let created = false;

  const json = async (args: string[]): Promise<Obj> =>
    JSON.parse(await cluster.kubectl([...args, '-n', NS, '-o', 'json'])) as Obj;
  const members = async (): Promise<Obj[]> =>
    ((await json(['get', 'pods', '-l', `cluster-name=${NAME}`])).items as Obj[]).sort((a, b) =>
      String(a.metadata.name).localeCompare(String(b.metadata.name)),
    );
  /** Per member pod: its UID, its containers' restart counts and PostgreSQL's start time. */
  const identities = async (): Promise<Record<string, string>> => {
    const who = await superuser(cluster, NS, NAME);
    const out: Record<string, string> = {};
    for (const pod of await members()) {
      const c = new Client({
        host: pod.status.podIP,
        port: 5432,
        user: who.user,
        password: who.password,
        database: 'postgres',
        connectionTimeoutMillis: 3000,
      });
      await c.connect();
      try {
        const started = (await c.query('select pg_postmaster_start_time()::text as t')).rows[0].t;
        const restarts = (pod.status.containerStatuses as Obj[])
          .map((s) => `${s.name}=${s.restartCount}`)
          .sort()
          .join(',');
        out[pod.metadata.name] = `uid ${pod.metadata.uid}; restarts ${restarts}; postmaster ${started}`;
      } finally {
        await c.end();
      }
    }
    return out;
  };
  const claims = async (): Promise<Record<string, string>> =>
    Object.fromEntries(
      ((await json(['get', 'pvc'])).items as Obj[]).map((c) => [
        c.metadata.name,
        `${c.spec.resources.requests.storage} requested, ${c.status.capacity?.storage} capacity, ${c.status.phase}`,
      ]),
    );
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
  const storageClass = (allowVolumeExpansion: boolean) =>
    JSON.stringify({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: CLASS },
      provisioner: 'rancher.io/local-path',
      volumeBindingMode: 'WaitForFirstConsumer',
      reclaimPolicy: 'Delete',
      allowVolumeExpansion,
    });

  before(async () => {
    cluster = await kubernetesCluster();
    await cluster.kubectl(['apply', '-f', '-'], storageClass(true));
    stack = await kubernetesStack(cluster, 'storage', {
      namespace: NS,
      instances: '2',
      storageClass: CLASS,
      storageSize: '1Gi',
    });
  });

  after(async () => {
    if (created) await stack.discard([NS]);
    else stack?.remove();
    await cluster?.kubectl(['delete', 'storageclass', CLASS, '--ignore-not-found', '--wait=false']);
  });

  test('GIVEN a running cluster of 1Gi claims WHEN storage.size becomes 2Gi THEN every claim and the claim template say 2Gi, and no pod restarted', async () => {
    created = true;
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    await onPrimary('create table marker as select g as id from generate_series(1, 1000) g');
    const before = await identities();
    assert.deepEqual(Object.keys(before), ['orders-1', 'orders-2']);
    const sts = await json(['get', 'statefulset', NAME]);
    assert.equal(sts.metadata.annotations['pulumi.com/deletionPropagationPolicy'], 'orphan');

    await stack.project.pulumiOk(['config', 'set', 'storageSize', '2Gi']);
    const preview = await stack.project.pulumiOk(['preview', '--diff']);
    assert.match(preview, /MemberStorage/);
    const up = await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);

    const grown = await claims();
    console.log(`claims after the growth: ${JSON.stringify(grown)}`);
    assert.deepEqual(Object.keys(grown).sort(), ['data-orders-1', 'data-orders-2']);
    for (const [name, state] of Object.entries(grown))
      // local-path has no resizer: the volume (a directory) keeps the capacity it was bound with.
      assert.equal(state, '2Gi requested, 1Gi capacity, Bound', name);
    const recreated = await json(['get', 'statefulset', NAME]);
    assert.notEqual(recreated.metadata.uid, sts.metadata.uid, 'the StatefulSet was recreated');
    assert.equal(recreated.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '2Gi');
    assert.equal(recreated.status.currentRevision, sts.status.currentRevision, 'the same pod revision');
    assert.deepEqual(await identities(), before, 'the same pods, no restart, the same postmasters');
    assert.equal(await onPrimary('select count(*) from marker'), '1000');
    console.log(
      `growth up: ${up
        .split('\n')
        .filter((l) => /Resources:|replaced|updated/.test(l))
        .join(' | ')}`,
    );
    await stack.project.pulumiOk(['preview', '--expect-no-changes']);
  });

  test('GIVEN 2Gi claims WHEN storage.size 1Gi THEN preview and up refuse it before touching anything', async () => {
    const before = await identities();
    await stack.project.pulumiOk(['config', 'set', 'storageSize', '1Gi']);
    for (const args of [['preview'], ['up', '--yes']]) {
      const run = await stack.project.pulumi(args);
      assert.notEqual(run.code, 0, run.output);
      assert.match(
        run.output,
        /storage\.size: 1Gi is smaller than the claims' 2Gi \(data-orders-1, data-orders-2\); volumes cannot shrink: set storage\.size to 2Gi or more/,
      );
    }
    assert.equal(
      (await json(['get', 'statefulset', NAME])).spec.volumeClaimTemplates[0].spec.resources.requests.storage,
      '2Gi',
    );
    assert.deepEqual(await identities(), before);
  });

  test('GIVEN the class no longer allowing expansion WHEN storage.size 3Gi THEN refused naming the class', async () => {
    await cluster.kubectl(['apply', '-f', '-'], storageClass(false));
    await stack.project.pulumiOk(['config', 'set', 'storageSize', '3Gi']);
    const run = await stack.project.pulumi(['preview']);
    assert.notEqual(run.code, 0, run.output);
    assert.match(
      run.output,
      new RegExp(
        `storage\\.size: 3Gi needs the claims grown from 2Gi, but StorageClass ${CLASS} does not allow volume expansion \\(allowVolumeExpansion is not true\\)`,
      ),
    );
    assert.deepEqual(Object.values(await claims()), [
      '2Gi requested, 1Gi capacity, Bound',
      '2Gi requested, 1Gi capacity, Bound',
    ]);
    await stack.project.pulumiOk(['config', 'set', 'storageSize', '2Gi']);
    await stack.project.pulumiOk(['preview', '--expect-no-changes']);
  });

  test('GIVEN the StatefulSet that orphans its pods WHEN the members are destroyed THEN no member pod is left and the claims stay', async () => {
    const state = JSON.parse(await stack.project.pulumiOk(['stack', 'export'])) as Obj;
    const urn = (state.deployment.resources as Obj[]).find((r) =>
      String(r.type).endsWith(':MemberStorage'),
    )?.urn;
    assert.ok(urn, 'MemberStorage is in the state');
    // MemberStorage and what depends on it (the StatefulSet, readiness, SQL objects); the namespace stays.
    await stack.project.pulumiOk(['destroy', '--yes', '--target', urn, '--target-dependents']);
    assert.equal((await json(['get', 'statefulset'])).items.length, 0, 'the StatefulSet is gone');
    const deadline = Date.now() + 120_000;
    while ((await members()).length > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 2000));
    assert.deepEqual(
      (await members()).map((p) => p.metadata.name),
      [],
      'MemberStorage deleted the pods the orphaning delete left',
    );
    assert.deepEqual(Object.keys(await claims()).sort(), ['data-orders-1', 'data-orders-2'], 'claims kept');
  });
});
