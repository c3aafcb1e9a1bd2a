/**
 * examples/kubernetes through the real engine on the real single-node Kubernetes: preview runs the
 * API server's dry run; `pulumi up` gives 1 leader and 2 streaming replicas with only the RBAC we
 * render; the Services route through kube-proxy; the SQL children go through a port-forward and a
 * change by hand shows in refresh; a second up and a refresh change nothing; destroy leaves no
 * object. Needs `npm run build`, `npm run tools:pulumi`, `npm run tools:kubernetes`, `npm run image`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { query } from '../helpers/pg';
import { kubernetesCluster, type Cluster } from './support/cluster';
import { kubernetesStack, type KubernetesStack } from './support/stack';
import { appUser, patroniCluster, serviceUri, superuser } from './support/reach';

const NS = 'pgc-example';
const NAME = 'orders';
const PODS = ['orders-1', 'orders-2', 'orders-3'];

describe('examples/kubernetes on a real single-node Kubernetes', () => {
  let cluster: Cluster;
  let stack: KubernetesStack;
  let created = false;

  before(async () => {
    cluster = await kubernetesCluster();
    stack = await kubernetesStack(cluster, 'example', { namespace: NS });
  });

  after(async () => {
    if (created) await stack.project.pulumi(['destroy', '--yes']);
    stack?.remove();
  });

  // Before the spec parsed quantities this reached the API server's dry run of the StatefulSet;
  // now the preview refuses it first, naming the field, the value and what is allowed.
  test('GIVEN a storage size that is no quantity WHEN pulumi preview THEN refused naming the field, before any object', async () => {
    await stack.project.pulumiOk(['config', 'set', 'storageSize', '1Gx']);
    const run = await stack.project.pulumi(['preview']);
    await stack.project.pulumiOk(['config', 'rm', 'storageSize']);
    assert.notEqual(run.code, 0, run.output);
    assert.match(
      run.output,
      /storage\.size: "1Gx" is not allowed: a volume size is a whole number of bytes or of Ki, Mi, Gi/,
    );
    assert.doesNotMatch(run.output, /StatefulSet .* create/);
  });

  test('GIVEN the example WHEN pulumi preview THEN every object passes the dry run and nothing exists yet', async () => {
    const preview = await stack.project.pulumiOk(['preview']);
    assert.match(preview, /\+ 38 to create/);
    // In its namespace: other files' clusters may be named orders too (their own namespaces).
    const pods = await cluster.kubectl(['get', 'pods', '-n', NS, '-l', `cluster-name=${NAME}`, '-o', 'name']);
    assert.equal(pods.trim(), '');
  });

  test('GIVEN the example WHEN pulumi up THEN 1 leader and 2 streaming replicas with Patroni objects in the namespace and no 403 in its logs', async () => {
    created = true;
    const started = Date.now();
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    const seconds = (Date.now() - started) / 1000;
    const members = (await patroniCluster(cluster, NS, PODS)).members;
    assert.equal(members.length, 3, JSON.stringify(members));
    assert.equal(members.filter((m) => m.role === 'leader').length, 1, JSON.stringify(members));
    assert.equal(members.filter((m) => m.state === 'streaming').length, 2, JSON.stringify(members));
    const outputs = await stack.outputs();
    const leader = members.find((m) => m.role === 'leader')!.name;
    assert.equal(outputs.primary, leader);
    // Patroni's Kubernetes DCS keeps its state in ConfigMaps of the cluster's own namespace.
    const configMaps = await cluster.kubectl(['-n', NS, 'get', 'configmaps', '-o', 'name']);
    for (const cm of ['orders-leader', 'orders-config', 'orders-sync'])
      assert.match(configMaps, new RegExp(`configmap/${cm}\\b`));
    for (const pod of PODS) {
      const logs = await cluster.kubectl(['-n', NS, 'logs', pod]);
      // An HTTP 403 from the API server, not the milliseconds of a log timestamp (",403 INFO").
      assert.doesNotMatch(
        logs,
        /\(403\)|403 Forbidden|Forbidden|ApiException/,
        `${pod}: ${logs.slice(-2000)}`,
      );
    }
    // The pods' role labels are what Patroni wrote, and the Services select them.
    const labels = await cluster.kubectl([
      '-n',
      NS,
      'get',
      'pods',
      '-l',
      'cluster-name=orders',
      '-L',
      'role',
    ]);
    assert.equal((labels.match(/\bprimary\b/g) ?? []).length, 1, labels);
    assert.equal((labels.match(/\breplica\b/g) ?? []).length, 2, labels);
    console.log(`pulumi up -> 3 members ready: ${seconds.toFixed(1)} s`);
  });

  test('GIVEN the running cluster WHEN reached through the ClusterIPs THEN -rw is the primary, -ro only replicas, -r any member, the pooler the primary, and a write on -rw reads back on -ro', async () => {
    const su = await superuser(cluster, NS, NAME);
    const inRecovery = async (service: string) =>
      (
        await query<{ r: boolean; a: string }>(
          await serviceUri(cluster, NS, service, su),
          'select pg_is_in_recovery() as r, inet_server_addr()::text as a',
        )
      )[0]!;
    for (let i = 0; i < 6; i++) {
      assert.equal((await inRecovery(`${NAME}-rw`)).r, false);
      assert.equal((await inRecovery(`${NAME}-ro`)).r, true);
    }
    const anyMember = new Set<string>();
    for (let i = 0; i < 12; i++) anyMember.add((await inRecovery(`${NAME}-r`)).a);
    assert.ok(anyMember.size >= 2, `-r reached ${[...anyMember].join(', ')}`);
    const app = await appUser(cluster, NS, NAME);
    const rw = await serviceUri(cluster, NS, `${NAME}-rw`, app, 'app');
    await query(rw, 'create table if not exists t (id int primary key, v text)');
    await query(rw, `insert into t values (1, 'through -rw') on conflict (id) do update set v = excluded.v`);
    const pooled = await query<{ r: boolean }>(
      await serviceUri(cluster, NS, `${NAME}-pooler`, app, 'app'),
      'select pg_is_in_recovery() as r',
    );
    assert.equal(pooled[0]?.r, false);
    const ro = await serviceUri(cluster, NS, `${NAME}-ro`, app, 'app');
    let seen: string | undefined;
    for (let i = 0; i < 50 && seen === undefined; i++) {
      seen = (await query<{ v: string }>(ro, 'select v from t where id = 1'))[0]?.v;
      if (seen === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(seen, 'through -rw');
  });

  test('GIVEN the SQL children applied through the port-forward WHEN a role is altered by hand THEN refresh shows it and up restores it', async () => {
    const su = await superuser(cluster, NS, NAME);
    const rw = await serviceUri(cluster, NS, `${NAME}-rw`, su);
    const limit = async () =>
      (
        await query<{ l: number }>(rw, `select rolconnlimit as l from pg_roles where rolname = 'reporting'`)
      )[0]?.l;
    assert.equal(await limit(), 5);
    assert.equal(
      (await query(rw, `select 1 from pg_database where datname = 'reports'`)).length,
      1,
      'database reports exists',
    );
    await query(rw, 'alter role reporting connection limit 9');
    const refresh = await stack.project.pulumiOk(['refresh', '--yes', '--diff']);
    assert.match(refresh, /reporting/);
    assert.match(refresh, /~ 1 updated|1 updated/);
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    assert.equal(await limit(), 5);
  });

  test('GIVEN nothing changed WHEN pulumi up and refresh again THEN no change and no drift from server defaults', async () => {
    const preview = await stack.project.pulumi(['preview', '--expect-no-changes', '--diff']);
    assert.equal(preview.code, 0, preview.output);
    const up = await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    assert.match(up, /\b38 unchanged/);
    const refresh = await stack.project.pulumi(['refresh', '--yes', '--expect-no-changes']);
    assert.equal(refresh.code, 0, refresh.output);
  });

  test('GIVEN the stack WHEN pulumi destroy THEN no object of it is left and its claims went with the namespace', async () => {
    const volumes = (
      await cluster.kubectl([
        'get',
        'pv',
        '-o',
        `jsonpath={.items[?(@.spec.claimRef.namespace=="${NS}")].metadata.name}`,
      ])
    )
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    assert.equal(volumes.length, 3, 'one volume per member before destroy');
    await stack.project.pulumiOk(['destroy', '--yes']);
    created = false;
    const left = await cluster.kubectl([
      'get',
      'all,configmaps,secrets,serviceaccounts,roles,rolebindings,pdb,pvc',
      '-n',
      NS,
      '-l',
      `app.kubernetes.io/instance=${NAME}`,
      '-o',
      'name',
    ]);
    assert.equal(left.trim(), '', left);
    const namespaces = await cluster.kubectl(['get', 'namespaces', '-o', 'name']);
    assert.doesNotMatch(namespaces, new RegExp(`namespace/${NS}\\b`));
    // The claims are deleted with their namespace; local-path's reclaimPolicy Delete removes the volumes.
    for (let i = 0; i < 60; i++) {
      const pvs = await cluster.kubectl(['get', 'pv', '-o', 'name']);
      if (!volumes.some((v) => pvs.includes(v))) return;
      await new Promise((r) => setTimeout(r, 1000));
    }
    assert.fail(`volumes still there: ${volumes.join(', ')}`);
  });
});
