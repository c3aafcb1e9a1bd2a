/**
 * examples/multi-site/kubernetes through the real engine on the single-node Kubernetes. There is one
 * node here, so the "two sites" are two namespaces reached through the example's two Provider
 * objects: two kubeconfig files of the same node with different default namespaces, which each
 * cluster's readiness uses too (the engine's default kubeconfig leads nowhere). orders-a (2
 * members) in site A, orders-b (2 members) a replica cluster in site B streaming from
 * orders-a-rw.<site A>.svc with verify-full (one group CA): rows written on A appear on B, B refuses
 * writes, A's pg_stat_replication shows B's standby leader over TLS as its own role
 * orders_b_replication (which A declares; B's replica cascades as it); then B is promoted
 * by the spec change (replica.primary: orders-b, force) and takes writes. No superuser password
 * of A's reaches site B: B's superuser logs in over TCP only with B's own client certificate (its
 * Secret orders-b-superuser), which A does not admit, and A's password is refused on B. Destroy
 * leaves nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { query } from '../helpers/pg';
import { kubernetesCluster, type Cluster } from './support/cluster';
import { kubernetesStack, type KubernetesStack } from './support/stack';
import {
  patroniCluster,
  secretOf,
  serviceIp,
  serviceUri,
  superuser,
  type Credentials,
} from './support/reach';
import { cli } from '../helpers/cli';

const NS_A = 'pgc-site-a';
const NS_B = 'pgc-site-b';
const A_PODS = ['orders-a-1', 'orders-a-2'];
const B_PODS = ['orders-b-1', 'orders-b-2'];

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs / 1000} s (${String(last)})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('a replica cluster on Kubernetes (examples/multi-site/kubernetes, two providers)', () => {
  let cluster: Cluster;
  let stack: KubernetesStack;
  let created = false;
  const dir = mkdtempSync(join(tmpdir(), 'pgc-k8s-replica-'));
  let su: Credentials;
  /** A URI to a Service of site B as B's superuser by its client certificate (written from its Secret). */
  const certUri = async (service: string, namespace = NS_B) => {
    const own = await secretOf(cluster, NS_B, 'orders-b-superuser');
    writeFileSync(join(dir, 'b-superuser.crt'), own['tls.crt']!, { mode: 0o600 });
    writeFileSync(join(dir, 'b-superuser.key'), own['tls.key']!, { mode: 0o600 });
    const files = `sslrootcert=${join(dir, 'group-ca.crt')}&sslcert=${join(dir, 'b-superuser.crt')}&sslkey=${join(dir, 'b-superuser.key')}`;
    // verify-ca: the ClusterIP is not among the server certificate's names (its Service's name is).
    return `postgresql://postgres@${await serviceIp(cluster, namespace, service)}:5432/postgres?connect_timeout=3&uselibpqcompat=true&sslmode=verify-ca&${files}`;
  };

  before(async () => {
    cluster = await kubernetesCluster();
    // Two kubeconfig files of the one node, each with its site's context (and default namespace): the
    // example's two providers, and each cluster's deployer resources (platform.kubernetes.kubeconfig).
    const kc = YAML.parse(cluster.kubeconfigText) as {
      contexts: Array<{ name: string; context: object }>;
      clusters: Array<{ name: string; cluster: { server: string } }>;
    };
    const base = kc.contexts[0]!.context;
    for (const [site, ns] of [
      ['a', NS_A],
      ['b', NS_B],
    ] as const) {
      const contexts = [{ name: `site-${site}`, context: { ...base, namespace: ns } }];
      writeFileSync(
        join(dir, `kubeconfig-${site}`),
        YAML.stringify({ ...kc, contexts, 'current-context': `site-${site}` }),
        { mode: 0o600 },
      );
    }
    // The default kubeconfig of the engine's processes leads nowhere (nothing listens on port 1): the
    // readiness reaches each site only through the kubeconfig its cluster was given.
    const decoy = {
      ...kc,
      clusters: kc.clusters.map((c) => ({ ...c, cluster: { ...c.cluster, server: 'https://127.0.0.1:1' } })),
    };
    writeFileSync(join(dir, 'kubeconfig-decoy'), YAML.stringify(decoy), { mode: 0o600 });
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '30',
      '-subj',
      '/CN=orders group CA',
      '-keyout',
      join(dir, 'group-ca.key'),
      '-out',
      join(dir, 'group-ca.crt'),
    ]);
    assert.equal(made.status, 0, String(made.stderr));
    stack = await kubernetesStack(
      cluster,
      'replica-cluster',
      {
        namespaceA: NS_A,
        namespaceB: NS_B,
        kubeconfigA: join(dir, 'kubeconfig-a'),
        contextA: 'site-a',
        kubeconfigB: join(dir, 'kubeconfig-b'),
        contextB: 'site-b',
        caCertFile: join(dir, 'group-ca.crt'),
        caKeyFile: join(dir, 'group-ca.key'),
        instances: '2',
        pooler: 'false',
      },
      'multi-site/kubernetes',
    );
    stack.sandbox.env.KUBECONFIG = join(dir, 'kubeconfig-decoy');
  });

  after(async () => {
    if (created) await stack.discard([NS_A, NS_B]);
    else stack?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN the two sites WHEN pulumi up THEN orders-b is a standby cluster of orders-a: a standby leader and a cascading replica', async () => {
    created = true;
    const started = Date.now();
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    console.log(`pulumi up -> both sites ready: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const a = (await patroniCluster(cluster, NS_A, A_PODS)).members;
    assert.equal(a.filter((m) => m.role === 'leader').length, 1, JSON.stringify(a));
    const b = (await patroniCluster(cluster, NS_B, B_PODS)).members;
    assert.deepEqual(
      b.map((m) => [m.role, m.state]).sort(),
      [
        ['replica', 'streaming'],
        ['standby_leader', 'streaming'],
      ],
      JSON.stringify(b),
    );
    const outputs = await stack.outputs();
    assert.equal(outputs.replicaReadOnly, true);
    assert.equal(outputs.sourceHost, `orders-a-rw.${NS_A}.svc`);
    // Patroni's own state is in each site's namespace.
    assert.match(
      await cluster.kubectl(['-n', NS_B, 'get', 'configmap', 'orders-b-config']),
      /orders-b-config/,
    );
  });

  test('GIVEN rows written on site A WHEN read on site B THEN they are there, and B refuses writes', async () => {
    su = await superuser(cluster, NS_A, 'orders-a');
    const a = await serviceUri(cluster, NS_A, 'orders-a-rw', su);
    await query(a, 'create table sites (id int primary key, v text)');
    await query(a, "insert into sites select g, 'from a' from generate_series(1, 100) g");
    // B's superuser logs in with B's own certificate; A's password, which B's copied catalog would
    // admit, is refused there, with TLS or without; A does not admit B's certificate.
    const b = await certUri('orders-b-rw');
    const aOnB = await serviceUri(cluster, NS_B, 'orders-b-rw', su);
    await assert.rejects(query(aOnB, 'select 1'), /pg_hba\.conf rejects connection .*"postgres"/);
    await assert.rejects(query(`${aOnB}&uselibpqcompat=true&sslmode=require`, 'select 1'), /certificate/);
    await assert.rejects(query(await certUri('orders-a-rw', NS_A), 'select 1'), /password/);
    const count = await until('100 rows on site B', async () => {
      const n = Number((await query<{ n: string }>(b, 'select count(*) as n from sites'))[0]?.n);
      return n === 100 ? n : undefined;
    });
    assert.equal(count, 100);
    const ro = await certUri('orders-b-ro');
    await until('100 rows on site B replica', async () =>
      Number((await query<{ n: string }>(ro, 'select count(*) as n from sites'))[0]?.n) === 100
        ? true
        : undefined,
    );
    await assert.rejects(query(b, "insert into sites values (101, 'from b')"), /read-only transaction/);
  });

  test("GIVEN B streaming WHEN A's pg_stat_replication is read THEN B's standby leader is there, over TLS, as B's own role; B's replica cascades as it too", async () => {
    const a = await serviceUri(cluster, NS_A, 'orders-a-rw', su);
    const rows = await query<{
      application_name: string;
      state: string;
      usename: string;
      ssl: boolean;
      client_dn: string;
    }>(
      a,
      'select r.application_name, r.state, r.usename, s.ssl, s.client_dn from pg_stat_replication r join pg_stat_ssl s using (pid) order by 1',
    );
    const fromB = rows.find((r) => r.application_name.startsWith('orders-b-'));
    assert.ok(fromB, JSON.stringify(rows));
    assert.equal(fromB.state, 'streaming');
    assert.equal(fromB.usename, 'orders_b_replication');
    assert.equal(fromB.ssl, true);
    assert.equal(fromB.client_dn, '/CN=orders_b_replication');
    // A's own replica still streams as replicator.
    const fromA = rows.find((r) => r.application_name.startsWith('orders-a-'));
    assert.equal(fromA?.usename, 'replicator', JSON.stringify(rows));
    const onB = await query<{ application_name: string; usename: string; client_dn: string }>(
      await certUri('orders-b-rw'),
      'select r.application_name, r.usename, s.client_dn from pg_stat_replication r join pg_stat_ssl s using (pid)',
    );
    assert.deepEqual(
      onB.map((r) => [r.usename, r.client_dn]),
      [['orders_b_replication', '/CN=orders_b_replication']],
      JSON.stringify(onB),
    );
    const leader = (await patroniCluster(cluster, NS_B, B_PODS)).members.find(
      (m) => m.role === 'standby_leader',
    );
    assert.equal(fromB.application_name, leader?.name);
    // Its source is named in the Secret of site B by name only: the password is no argument, no env value.
    const pod = JSON.parse(await cluster.kubectl(['-n', NS_B, 'get', 'pod', 'orders-b-1', '-o', 'json'])) as {
      spec: {
        containers: Array<{
          name: string;
          env?: Array<{ name: string; value?: string }>;
          args?: string[];
          command?: string[];
        }>;
      };
    };
    const source = await secretOf(cluster, NS_B, 'orders-a-source');
    const text = JSON.stringify(pod.spec);
    // (replication-password is empty: orders-b's role logs in by its certificate.) No superuser
    // password: B's Patroni and exporter reach PostgreSQL over the pod's socket by peer.
    assert.equal(source['replication-password'], '');
    assert.deepEqual(Object.keys(source).sort(), ['replication-password', 'rewind-password']);
    for (const c of pod.spec.containers)
      assert.equal(
        (c.env ?? []).some((e) => e.name === 'PATRONI_SUPERUSER_PASSWORD'),
        false,
        `${c.name} has PATRONI_SUPERUSER_PASSWORD`,
      );
    // The CLI logs in as B's superuser with the certificate of B's Secret, through a port-forward.
    const psql = await cli(stack.sandbox.stateDir, [
      'psql',
      'orders-b',
      '--kubeconfig',
      join(dir, 'kubeconfig-b'),
      '--context',
      'site-b',
      '--namespace',
      NS_B,
      '--superuser',
      '--',
      '-Atc',
      'select current_user, pg_is_in_recovery()',
    ]);
    assert.equal(psql.code, 0, psql.stderr);
    assert.equal(psql.stdout.trim(), 'postgres|t');
    for (const value of Object.values(source).filter((v) => v !== ''))
      assert.equal(text.includes(value), false, 'a password in the pod spec');
  });

  test('GIVEN site A gone from the spec WHEN replica.primary names orders-b with force and pulumi up THEN orders-b is a primary cluster that takes writes', async () => {
    await stack.project.pulumiOk(['config', 'set', 'promote', 'true']);
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    const b = (await patroniCluster(cluster, NS_B, B_PODS)).members;
    assert.equal(b.filter((m) => m.role === 'leader').length, 1, JSON.stringify(b));
    const rw = await certUri('orders-b-rw');
    await until('a write on orders-b', async () => {
      await query(rw, "insert into sites values (101, 'from b')");
      return true;
    });
    const n = (await query<{ n: string }>(rw, 'select count(*) as n from sites'))[0]?.n;
    assert.equal(Number(n), 101);
    assert.equal((await stack.outputs()).replicaReadOnly, false);
    // The application owner of B logs in with B's own Secret once B is a primary cluster.
    const app = await secretOf(cluster, NS_B, 'orders-b-app');
    const appUri = await serviceUri(
      cluster,
      NS_B,
      'orders-b-rw',
      { user: app.username!, password: app.password! },
      app.dbname,
    );
    assert.equal((await query<{ one: number }>(appUri, 'select 1 as one'))[0]?.one, 1);
    // Its superuser took B's own password too (A's verifier is gone from B's catalog).
    const verifier = async (uri: string) =>
      (
        await query<{ v: string }>(uri, "select rolpassword as v from pg_authid where rolname = 'postgres'")
      )[0]?.v;
    const onB = await verifier(rw);
    assert.ok(onB?.startsWith('SCRAM-SHA-256$'), onB);
    assert.notEqual(onB, await verifier(await serviceUri(cluster, NS_A, 'orders-a-rw', su)));
  });
});
