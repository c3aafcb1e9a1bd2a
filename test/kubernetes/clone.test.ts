/**
 * bootstrap.pgBasebackup on the real single-node Kubernetes: a standalone PostgreSQL 15 on the node's
 * address (the pods reach it there, as a server outside the cluster) is cloned by the first pod with
 * the same script a local member runs, its password from a Secret of its own (never in the ConfigMap,
 * the pod spec or a process argument); the clone keeps the source's system identifier and rows, the
 * second member streams from it, and the source is untouched. A wrong password fails `pulumi up`
 * naming PostgreSQL's reason.
 * The source listens on <node address>:27710.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { startPostgres, type TestServer } from '../helpers/postgres';
import { kubernetesCluster, PATHS, type Cluster } from './support/cluster';
import { kubernetesStack, type KubernetesStack } from './support/stack';
import { patroniCluster, serviceUri, superuser } from './support/reach';

const NS = 'pgc-clone';
const FAILED_NS = 'pgc-clone-bad';
const NAME = 'orders';
const SOURCE_PORT = 27710;
const CLONE_PW = 'clone-pw:with\\odd-chars';
const NODE_IP = PATHS.NODE_IP as string;
/** The pgBasebackup source both stacks name (the password from the stack's environment). */
const SOURCE = {
  host: NODE_IP,
  port: SOURCE_PORT,
  user: 'cloner',
  password: { fromEnv: 'PGC_TEST_CLONE_PW' },
};

describe('bootstrap.pgBasebackup on a real single-node Kubernetes', () => {
  let cluster: Cluster;
  let source: TestServer;
  let stack: KubernetesStack;
  let failed: KubernetesStack | undefined;
  let created = false;
  let sourceId = '';

  /** One value, as the superuser through the -rw Service (kube-proxy), like a client on the node. */
  const onClone = async (text: string): Promise<string> => {
    const c = new Client({
      connectionString: await serviceUri(cluster, NS, `${NAME}-rw`, await superuser(cluster, NS, NAME)),
    });
    await c.connect();
    try {
      return String(Object.values((await c.query(text)).rows[0] as object)[0]);
    } finally {
      await c.end();
    }
  };
  /** The pod whose log shows the clone (either may win Patroni's initialize race). */
  const clonedPod = async (): Promise<{ pod: string; log: string }> => {
    for (const pod of ['orders-1', 'orders-2']) {
      const log = await cluster.kubectl(['logs', '-n', NS, pod, '-c', 'postgres']);
      if (log.includes('clone: pg_basebackup from')) return { pod, log };
    }
    throw new Error('no pod logged the clone');
  };
  const onSource = async (text: string) => {
    const c = new Client(source.config);
    await c.connect();
    try {
      return (await c.query(text)).rows;
    } finally {
      await c.end();
    }
  };
  before(async () => {
    cluster = await kubernetesCluster();
    source = await startPostgres('k8s-clone-source', {
      logStatements: false,
      alsoListen: NODE_IP,
      port: SOURCE_PORT,
      // The pods connect from their own addresses (no masquerade on the node's bridge).
      hba: ['host all all 10.244.0.0/16 scram-sha-256', 'host replication all 10.244.0.0/16 scram-sha-256'],
    });
    await onSource(`create role cloner login replication password '${CLONE_PW.replace(/'/g, "''")}'`);
    await onSource(
      'create table marker as select g as id, md5(g::text) as note from generate_series(1, 20000) g',
    );
    sourceId = String(
      (await onSource('select system_identifier from pg_control_system()'))[0].system_identifier,
    );
    stack = await kubernetesStack(cluster, 'clone', { namespace: NS, instances: '2' });
    stack.sandbox.env.PGC_TEST_CLONE_PW = CLONE_PW;
    await stack.project.pulumiOk([
      'config',
      'set',
      'bootstrap',
      JSON.stringify({
        pgBasebackup: {
          source: SOURCE,
          owner: 'shopkeeper',
        },
      }),
    ]);
  });

  after(async () => {
    await failed?.discard([FAILED_NS]);
    if (created) await stack.discard([NS]);
    else stack?.remove();
    await source?.stop();
  });

  test('GIVEN a running PostgreSQL WHEN pulumi up with bootstrap.pgBasebackup THEN the pods hold its data and system identifier, and both members run', async () => {
    created = true;
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    assert.equal(await onClone('select count(*) from marker'), '20000');
    assert.equal(await onClone('select system_identifier from pg_control_system()'), sourceId);
    const members = (await patroniCluster(cluster, NS, ['orders-1', 'orders-2'])).members;
    assert.equal(members.filter((m) => m.state === 'streaming').length, 1, JSON.stringify(members));
    // The cloned cluster hands out its own application role (created here, the source had none).
    assert.equal(await onClone("select count(*) from pg_roles where rolname = 'shopkeeper'"), '1');
    const { log } = await clonedPod();
    assert.match(
      log,
      new RegExp(`clone: pg_basebackup from ${NODE_IP.replace(/\./g, '\\.')}:${SOURCE_PORT} as cloner`),
    );
    // The source is untouched.
    assert.equal(String((await onSource('select count(*) from marker'))[0].count), '20000');
    await stack.project.pulumiOk(['preview', '--expect-no-changes']);
  });

  test('GIVEN the clone WHEN its objects are read THEN the password is in its Secret only, and the copy in /tmp is gone', async () => {
    const objects = await cluster.kubectl(['get', 'configmaps,statefulsets,pods', '-n', NS, '-o', 'json']);
    assert.ok(
      !objects.includes('with\\\\odd-chars') && !objects.includes('odd-chars'),
      'no object but the Secret holds it',
    );
    const secret = JSON.parse(
      await cluster.kubectl(['get', 'secret', 'orders-clone-source', '-n', NS, '-o', 'json']),
    ) as { data: Record<string, string> };
    assert.equal(
      Buffer.from(secret.data.pgpass as string, 'base64').toString(),
      `${NODE_IP}:${SOURCE_PORT}:*:cloner:clone-pw\\:with\\\\odd-chars\n`,
    );
    const tmp = await cluster.kubectl([
      'exec',
      '-n',
      NS,
      'orders-1',
      '-c',
      'postgres',
      '--',
      'ls',
      '-A',
      '/tmp',
    ]);
    assert.doesNotMatch(tmp, /clone-.*\.pgpass/, tmp);
  });

  test('GIVEN a wrong source password WHEN pulumi up THEN it fails naming what PostgreSQL said, and the password is not echoed', async () => {
    failed = await kubernetesStack(cluster, 'clone-bad', { namespace: FAILED_NS, instances: '2' });
    failed.sandbox.env.PGC_TEST_CLONE_PW = 'not-the-clone-password';
    await failed.project.pulumiOk([
      'config',
      'set',
      'bootstrap',
      JSON.stringify({
        pgBasebackup: {
          source: SOURCE,
        },
      }),
    ]);
    const started = Date.now();
    const r = await failed.project.pulumi(['up', '--yes', '--skip-preview']);
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /password authentication failed for user "cloner"/, r.output);
    assert.doesNotMatch(r.output, /not-the-clone-password/);
    assert.ok(Date.now() - started < 180_000, `failed in ${Math.round((Date.now() - started) / 1000)} s`);
  });
});
