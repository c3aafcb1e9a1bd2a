/**
 * PostgresCluster with monitoring (and tls) on kubernetes under mocks: postgres_exporter beside every
 * member with pgcluster's query set (verify-full to 127.0.0.1, the password from the superuser Secret),
 * Patroni's /metrics port, the PgBouncer exporter beside every pooler pod (the local platform's script,
 * the admin's password in its own Secret), and the PodMonitor, valid against the PodMonitor CRD's
 * schema and selecting exactly the members and the pooler.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { isSecretValue, settle, setupMocks, valueOf, type Registered } from '../helpers/pulumi-mocks';
import {
  customResourceIssues,
  validateKubernetesObject,
  type CustomResourceDefinition,
} from '../helpers/k8s-openapi';
import { ROOT } from '../helpers/cli';
import { PostgresCluster } from '../../provider/pulumi/component';
import { renderExporterQueries } from '../../provider/render/exporter-queries';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const K8S = { namespace: 'db', image: 'example.org/pg:15' };
const PODMONITOR = 'kubernetes:monitoring.coreos.com/v1:PodMonitor';
const CRD = YAML.parse(
  readFileSync(join(ROOT, 'test', 'fixtures', 'kubernetes', 'podmonitor-crd.yaml'), 'utf8'),
) as CustomResourceDefinition;

async function build(args: Record<string, unknown>) {
  const { resources } = setupMocks();
  const cluster = new PostgresCluster('orders', args);
  await valueOf(cluster.urn);
  await settle(resources);
  return resources;
}

function one(resources: Registered[], type: string, name: string): Registered {
  const found = resources.filter((r) => r.type === type && r.name === name);
  assert.equal(found.length, 1, `${type} ${name}: found ${found.length}`);
  return found[0] as Registered;
}

const members = (rs: Registered[]) =>
  (one(rs, 'kubernetes:apps/v1:StatefulSet', 'orders-members').inputs as Obj).spec.template;
const pooler = (rs: Registered[]) =>
  (one(rs, 'kubernetes:apps/v1:Deployment', 'orders-pooler').inputs as Obj).spec.template;
const container = (template: Obj, name: string) =>
  template.spec.containers.find((c: Obj) => c.name === name) as Obj;

/** Whether a label selector (matchLabels and In expressions) selects these labels. */
function selects(selector: Obj, labels: Record<string, string>): boolean {
  return (
    Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
    (selector.matchExpressions ?? []).every(
      (e: Obj) => e.operator === 'In' && e.values.includes(labels[e.key]),
    )
  );
}

describe('PostgresCluster with monitoring on kubernetes (mocks)', () => {
  const args = {
    instances: 2,
    platform: { kubernetes: K8S },
    tls: {},
    monitoring: { podMonitor: true },
  };

  test('GIVEN exporters WHEN the members are rendered THEN postgres_exporter runs beside PostgreSQL with the query set, as the superuser over the socket by peer (no password)', async () => {
    const resources = await build(args);
    const exporter = container(members(resources), 'exporter');
    assert.deepEqual(exporter.command, [
      'prometheus-postgres-exporter',
      '--web.listen-address=:9187',
      '--extend.query-path=/etc/pgcluster/monitoring/queries.yaml',
      '--log.level=warn',
    ]);
    const env = Object.fromEntries(exporter.env.map((e: Obj) => [e.name, e.value ?? e.valueFrom]));
    // Over the pod's socket by peer, as on the local platform: no password in the exporter.
    assert.deepEqual(env, {
      DATA_SOURCE_NAME: 'host=/var/run/postgresql port=5432 user=postgres dbname=postgres sslmode=disable',
    });
    assert.ok(
      exporter.volumeMounts.some((m: Obj) => m.name === 'run' && m.mountPath === '/var/run/postgresql'),
    );
    assert.deepEqual(exporter.ports, [{ name: 'metrics', containerPort: 9187, protocol: 'TCP' }]);
    assert.equal(exporter.securityContext.readOnlyRootFilesystem, true);
    const postgres = container(members(resources), 'postgres');
    assert.ok(postgres.ports.some((p: Obj) => p.name === 'patroni' && p.containerPort === 8008));
    const config = one(resources, 'kubernetes:core/v1:ConfigMap', 'orders-monitoring-config').inputs as Obj;
    assert.equal(config.data['queries.yaml'], renderExporterQueries());
    assert.deepEqual(
      members(resources).spec.volumes.find((v: Obj) => v.name === 'monitoring'),
      { name: 'monitoring', configMap: { name: 'orders-monitoring' } },
    );
  });

  test('GIVEN exporters and a pooler WHEN rendered THEN the PgBouncer exporter runs beside it with the admin password in its own Secret', async () => {
    const resources = await build(args);
    const exporter = container(pooler(resources), 'exporter');
    assert.deepEqual(exporter.command, [
      '/opt/patroni/bin/python3',
      '/etc/pgcluster/monitoring/pgbouncer-exporter.py',
      '/etc/pgcluster/monitoring/pooler-exporter.json',
    ]);
    assert.deepEqual(exporter.ports, [{ name: 'metrics', containerPort: 9127, protocol: 'TCP' }]);
    const data = (one(resources, 'kubernetes:core/v1:ConfigMap', 'orders-monitoring-config').inputs as Obj)
      .data;
    assert.equal(
      data['pgbouncer-exporter.py'],
      readFileSync(join(ROOT, 'provider', 'platform', 'local', 'scripts', 'pgbouncer-exporter.py'), 'utf8'),
    );
    assert.deepEqual(JSON.parse(data['pooler-exporter.json']), {
      listen: { host: '0.0.0.0', port: 9127 },
      admin: {
        host: '127.0.0.1',
        port: 5432,
        user: 'pgbouncer_admin',
        passFile: '/etc/pgcluster/pooler-admin/password',
        sslmode: 'verify-full',
        sslrootcert: '/etc/pgcluster/tls/ca.crt',
      },
    });
    const secret = one(resources, 'kubernetes:core/v1:Secret', 'orders-pooler-exporter');
    assert.ok(isSecretValue(secret.raw.stringData));
    assert.equal((secret.inputs.stringData as Obj).password, 'pw-orders-pooler-admin-password');
    assert.deepEqual(pooler(resources).spec.volumes.find((v: Obj) => v.name === 'pooler-admin').secret, {
      secretName: 'orders-pooler-exporter',
      defaultMode: 0o440,
    });
    assert.doesNotMatch(JSON.stringify(data), /pw-/, 'no password in the ConfigMap');
  });

  test('GIVEN podMonitor WHEN rendered THEN the PodMonitor is valid against the CRD schema and selects the members and the pooler only', async () => {
    const resources = await build(args);
    const monitor = one(resources, PODMONITOR, 'orders-podmonitor').inputs as Obj;
    const object = {
      apiVersion: monitor.apiVersion,
      kind: monitor.kind,
      metadata: monitor.metadata,
      spec: monitor.spec,
    };
    assert.deepEqual(customResourceIssues(object, CRD), []);
    assert.equal(monitor.metadata.namespace, 'db');
    assert.deepEqual(
      monitor.spec.podMetricsEndpoints.map((e: Obj) => `${e.port} ${e.path}`),
      ['metrics /metrics', 'patroni /metrics'],
    );
    // Under tls Patroni is HTTPS: verified by the CA of <name>-tls, by a name its certificate carries.
    assert.deepEqual(monitor.spec.podMetricsEndpoints[1], {
      port: 'patroni',
      path: '/metrics',
      scheme: 'https',
      tlsConfig: { ca: { secret: { name: 'orders-tls', key: 'ca.crt' } }, serverName: 'orders-rw.db.svc' },
    });
    assert.equal(monitor.spec.podMetricsEndpoints[0].scheme, 'http');
    assert.ok(selects(monitor.spec.selector, members(resources).metadata.labels), 'the members');
    assert.ok(selects(monitor.spec.selector, pooler(resources).metadata.labels), 'the pooler');
    assert.ok(
      !selects(monitor.spec.selector, {
        ...members(resources).metadata.labels,
        'app.kubernetes.io/instance': 'other',
      }),
      'not another cluster',
    );
    // The check can fail: a wrong scheme, an unknown field, a missing selector.
    const bad = (spec: Obj) => customResourceIssues({ ...object, spec }, CRD);
    assert.match(
      bad({ ...monitor.spec, podMetricsEndpoints: [{ port: 'metrics', scheme: 'tcp' }] })[0]!,
      /scheme/,
    );
    assert.match(bad({ ...monitor.spec, endpoints: [] })[0]!, /\.spec\.endpoints: is not a field/);
    assert.match(bad({ podMetricsEndpoints: [] })[0]!, /\.spec\.selector: is required/);
  });

  test('GIVEN monitoring WHEN validated THEN every built-in Kubernetes object passes the OpenAPI schema', async () => {
    const resources = await build(args);
    const objects = resources.filter((r) => r.type.startsWith('kubernetes:') && r.type !== PODMONITOR);
    assert.equal(objects.length, 24, 'the tls cluster and the monitoring ConfigMap and Secret');
    for (const r of objects)
      assert.doesNotThrow(() => validateKubernetesObject(r.inputs), `${r.type} ${r.name}`);
  });

  test('GIVEN exporters false, or no monitoring key WHEN rendered THEN no sidecar, no monitoring objects', async () => {
    for (const monitoring of [{ exporters: false }, undefined]) {
      const resources = await build({
        instances: 2,
        platform: { kubernetes: K8S },
        ...(monitoring ? { monitoring } : {}),
      });
      assert.deepEqual(
        members(resources).spec.containers.map((c: Obj) => c.name),
        ['postgres', 'peer-watch'],
        'no exporter sidecar (the peer watch is not one)',
      );
      assert.deepEqual(
        pooler(resources).spec.containers.map((c: Obj) => c.name),
        ['pgbouncer'],
      );
      assert.equal(resources.filter((r) => r.type === PODMONITOR || r.name.includes('monitoring')).length, 0);
    }
  });
});
