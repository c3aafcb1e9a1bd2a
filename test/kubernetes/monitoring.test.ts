/**
 * Metrics on the real single-node Kubernetes: examples/kubernetes with `tls` from a CA of the test's
 * own (`tls.ca` files: it signs the generated server certificate, which psql verifies with it) and
 * `monitoring: {podMonitor: true}` through the real engine, after a minimal PodMonitor CRD is
 * installed (test/fixtures/kubernetes/podmonitor-crd.yaml: no Prometheus Operator CRD is available
 * offline). The API server stores the PodMonitor as rendered (nothing pruned) and refuses a malformed
 * one; from the node, each member pod's postgres_exporter (over TLS to its PostgreSQL) serves
 * pgcluster's query set with the replica's lag by member name, Patroni's /metrics says which member
 * is primary, and the pooler pod's exporter counts a client held open through the pooler.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ROOT } from '../helpers/cli';
import { createCa } from '../../provider/secrets/x509';
import { waitFor } from '../helpers/pg';
import { parseSpec } from '../../provider/spec';
import { kubernetesNames } from '../../provider/naming';
import { buildPodMonitor } from '../../provider/render/kubernetes/monitoring';
import { kubernetesCluster, type Cluster } from './support/cluster';
import { kubernetesStack, type KubernetesStack } from './support/stack';
import { appUser, byServiceName, labelledPrimary, psql, secretOf, serviceIp } from './support/reach';

const NS = 'pgc-monitoring';
const NAME = 'orders';
const PODS = ['orders-1', 'orders-2'];
const CRD_FILE = join(ROOT, 'test', 'fixtures', 'kubernetes', 'podmonitor-crd.yaml');
const CRD = 'podmonitors.monitoring.coreos.com';

type Sample = { labels: Record<string, string>; value: number };

/** The samples of one metric in a Prometheus text exposition. */
function samples(text: string, metric: string): Sample[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${metric}{`) || l.startsWith(`${metric} `))
    .map((l) => {
      const m = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(l)!;
      const labels = Object.fromEntries(
        [...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]),
      );
      return { labels: labels as Record<string, string>, value: Number(m[2]) };
    });
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200, url);
  return res.text();
}

/** An HTTPS scrape that verifies the server by `ca` and `servername`, as the PodMonitor's tlsConfig does. */
function scrapeTls(url: string, ca: string, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca, servername, agent: false, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(text) : reject(new Error(`${url}: HTTP ${res.statusCode}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: timeout`)));
    req.on('error', reject);
    req.end();
  });
}

describe('metrics on a real single-node Kubernetes (exporter sidecars, Patroni, PgBouncer, PodMonitor)', () => {
  let cluster: Cluster;
  let stack: KubernetesStack;
  let created = false;
  let crdInstalled = false;
  const dir = mkdtempSync(join(tmpdir(), 'pgc-k8s-monitoring-'));
  const caFile = join(dir, 'ca.crt');
  let caPem = '';

  const podIp = async (pod: string) =>
    (await cluster.kubectl(['-n', NS, 'get', 'pod', pod, '-o', 'jsonpath={.status.podIP}'])).trim();
  const poolerPods = async () =>
    (
      await cluster.kubectl([
        '-n',
        NS,
        'get',
        'pods',
        '-l',
        `app.kubernetes.io/instance=${NAME},app.kubernetes.io/component=pooler`,
        '-o',
        'jsonpath={.items[*].metadata.name}',
      ])
    )
      .trim()
      .split(/\s+/)
      .filter(Boolean);

  before(async () => {
    cluster = await kubernetesCluster();
    const existing = await cluster.kubectl(['get', 'crd', '--ignore-not-found', '-o', 'name', CRD]);
    // Applied even when there: an older copy of the fixture would prune the fields it lacks.
    await cluster.kubectl(['apply', '-f', CRD_FILE]);
    crdInstalled = !existing.trim();
    await cluster.kubectl(['wait', '--for', 'condition=Established', '--timeout=60s', `crd/${CRD}`]);
    const ca = await createCa('the test CA', 30);
    caPem = ca.certificate;
    writeFileSync(caFile, ca.certificate);
    writeFileSync(join(dir, 'ca.key'), ca.privateKey, { mode: 0o600 });
    stack = await kubernetesStack(cluster, 'monitoring', {
      namespace: NS,
      instances: '2',
      tls: JSON.stringify({ ca: { certFile: caFile, keyFile: join(dir, 'ca.key') } }),
      monitoring: JSON.stringify({ podMonitor: true }),
    });
    created = true;
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
  });

  after(async () => {
    if (created) await stack.discard([NS]);
    else stack?.remove();
    if (crdInstalled) await cluster.kubectl(['delete', 'crd', CRD, '--wait=false']);
    rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN your CA in tls.ca WHEN psql verifies <name>-rw.<ns>.svc with it THEN the server certificate is signed by it, and the app Secret carries it', async () => {
    assert.equal((await secretOf(cluster, NS, `${NAME}-app`))['ca.crt'], caPem);
    const app = await appUser(cluster, NS, NAME);
    const r = psql(
      await byServiceName(cluster, NS, `${NAME}-rw`, `sslmode=verify-full sslrootcert=${caFile}`),
      'select ssl from pg_stat_ssl where pid = pg_backend_pid()',
      app,
    );
    assert.ok(r.ok, r.err);
    assert.equal(r.out, 't');
  });

  test('GIVEN the CRD WHEN up created the PodMonitor THEN the API server stored it as rendered and refuses a malformed one', async () => {
    const stored = JSON.parse(await cluster.kubectl(['-n', NS, 'get', 'podmonitor', NAME, '-o', 'json'])) as {
      spec: unknown;
      metadata: { labels: Record<string, string> };
    };
    const spec = parseSpec({
      name: NAME,
      platform: { kubernetes: { namespace: NS } },
      tls: {},
      monitoring: { podMonitor: true },
    });
    const rendered = buildPodMonitor(spec, kubernetesNames(NAME), NS);
    assert.deepEqual(stored.spec, rendered.spec, 'nothing pruned, nothing defaulted away');
    assert.deepEqual(stored.metadata.labels, rendered.metadata.labels);
    const bad = { ...rendered, metadata: { ...rendered.metadata, name: 'malformed' } };
    bad.spec = {
      ...bad.spec,
      podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', scheme: 'tcp' as 'http' }],
    };
    await assert.rejects(
      cluster.kubectl(['apply', '-f', '-'], JSON.stringify(bad)),
      /scheme.*Unsupported value: "tcp"/s,
    );
  });

  test("GIVEN each member's exporter WHEN scraped at the pod IP THEN pgcluster's series are there, the replica's lag by member name", async () => {
    const [primary] = await labelledPrimary(cluster, NS, NAME);
    assert.ok(primary, 'a primary');
    const replica = PODS.find((p) => p !== primary)!;
    const text = await waitFor(
      'the replica in the lag series',
      async () => {
        const t = await scrape(`http://${await podIp(primary)}:9187/metrics`).catch(() => '');
        return samples(t, 'pgcluster_replication_lag_bytes').some((x) => x.labels.member === replica)
          ? t
          : undefined;
      },
      90_000,
    );
    assert.equal(
      samples(text, 'pg_up')[0]?.value,
      1,
      'the exporter reaches PostgreSQL (verify-full to 127.0.0.1)',
    );
    const lag = samples(text, 'pgcluster_replication_lag_bytes').find((x) => x.labels.member === replica)!;
    assert.equal(lag.labels.state, 'streaming');
    assert.ok(lag.value >= 0);
    assert.equal(samples(text, 'pgcluster_wal_in_recovery')[0]?.value, 0);
    assert.ok(samples(text, 'pgcluster_wal_position_bytes')[0]!.value > 0);
    assert.equal(samples(text, 'pgcluster_archiver_failing')[0]?.labels.archive_mode, 'off');
    assert.ok(samples(text, 'pgcluster_connections_count').some((x) => x.labels.state === 'active'));
    assert.ok(samples(text, 'pgcluster_locks_count').length > 0);
    const standby = await scrape(`http://${await podIp(replica)}:9187/metrics`);
    assert.equal(samples(standby, 'pg_up')[0]?.value, 1);
    assert.equal(samples(standby, 'pgcluster_wal_in_recovery')[0]?.value, 1);
  });

  test("GIVEN Patroni WHEN /metrics is scraped over HTTPS at each pod's REST port as the PodMonitor says THEN the primary and the replica say which they are", async () => {
    const [primary] = await labelledPrimary(cluster, NS, NAME);
    const spec = parseSpec({ name: NAME, platform: { kubernetes: { namespace: NS } }, tls: {} });
    const endpoint = buildPodMonitor(spec, kubernetesNames(NAME), NS).spec.podMetricsEndpoints.find(
      (e) => e.port === 'patroni',
    ) as { scheme: string; tlsConfig: { serverName: string; ca: { secret: { name: string; key: string } } } };
    assert.equal(endpoint.scheme, 'https');
    // The CA the PodMonitor names: the key of the Secret in the cluster's namespace.
    const ca = (await secretOf(cluster, NS, endpoint.tlsConfig.ca.secret.name))[
      endpoint.tlsConfig.ca.secret.key
    ]!;
    assert.equal(ca.trim(), caPem.trim(), "the PodMonitor's CA is the cluster's");
    for (const pod of PODS) {
      await assert.rejects(scrape(`http://${await podIp(pod)}:8008/metrics`), `${pod}: no plain HTTP`);
      const text = await scrapeTls(
        `https://${await podIp(pod)}:8008/metrics`,
        ca,
        endpoint.tlsConfig.serverName,
      );
      assert.equal(
        samples(text, 'patroni_primary').find((x) => x.labels.name === pod)?.value,
        pod === primary ? 1 : 0,
        pod,
      );
      assert.equal(samples(text, 'patroni_postgres_running')[0]?.value, 1);
    }
  });

  test('GIVEN a client held open through the pooler WHEN the pooler pod exporter is scraped THEN it counts that client', async () => {
    const app = await appUser(cluster, NS, NAME);
    const ca = (await secretOf(cluster, NS, `${NAME}-app`))['ca.crt'] as string;
    const client = new Client({
      host: await serviceIp(cluster, NS, `${NAME}-pooler`),
      port: 5432,
      user: app.user,
      password: app.password,
      database: 'app',
      connectionTimeoutMillis: 5000,
      ssl: { ca, servername: `${NAME}-pooler.${NS}.svc` },
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query('select 1');
      const pods = await poolerPods();
      assert.ok(pods.length > 0, 'pooler pods');
      const all = async () =>
        (await Promise.all(pods.map(async (p) => scrape(`http://${await podIp(p)}:9127/metrics`)))).join(
          '\n',
        );
      // PgBouncer adds up its totals every stats_period: wait for the query to be counted.
      const text = await waitFor(
        'the pooled query in the stats',
        async () => {
          const t = await all();
          return samples(t, 'pgbouncer_stats_queries_pooled_total').some(
            (x) => x.labels.database === 'app' && x.value >= 1,
          )
            ? t
            : undefined;
        },
        150_000,
      );
      assert.deepEqual(
        samples(text, 'pgbouncer_up').map((x) => x.value),
        pods.map(() => 1),
      );
      const clients = samples(text, 'pgbouncer_pools_client_active_connections').filter(
        (x) => x.labels.database === 'app' && x.labels.user === 'app',
      );
      assert.ok(clients.reduce((n, x) => n + x.value, 0) >= 1, JSON.stringify(clients));
    } finally {
      await client.end();
    }
  });
});
