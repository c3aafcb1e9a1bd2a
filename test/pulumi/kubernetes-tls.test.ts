/**
 * PostgresCluster with tls on kubernetes under mocks: the certificates (TlsCertificates, keys as
 * secret outputs) and the Secret <name>-tls (a Pulumi secret) the members and the pooler mount
 * 0440; the shared renderers' ssl settings, hostssl/cert pg_hba lines and verify-full replication
 * to the pods' DNS names; PgBouncer's client and server TLS; the CA in the application Secret and
 * verify-full URIs; every object valid against the Kubernetes OpenAPI schemas.
 */
import { before, describe, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { isSecretValue, settle, setupMocks, valueOf, type Registered } from '../helpers/pulumi-mocks';
import { validateKubernetesObject } from '../helpers/k8s-openapi';
import { PostgresCluster } from '../../provider/pulumi/component';
import { createCa, issueCertificate } from '../../provider/secrets/x509';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const K8S = { namespace: 'db', image: 'example.org/pg:15' };
const TLS_SECRET = 'orders-tls';
const CA_QUERY = 'sslmode=verify-full&sslrootcert=/etc/pgcluster/app/ca.crt';

async function build(args: Record<string, unknown>) {
  const { resources } = setupMocks();
  const cluster = new PostgresCluster('orders', args);
  await valueOf(cluster.urn);
  await settle(resources);
  return { resources, cluster };
}

function one(resources: Registered[], type: string, name: string): Registered {
  const found = resources.filter((r) => r.type === type && r.name === name);
  assert.equal(found.length, 1, `${type} ${name}: found ${found.length}`);
  return found[0] as Registered;
}

const secretOf = (rs: Registered[], name: string) => one(rs, 'kubernetes:core/v1:Secret', name);
const podOf = (rs: Registered[]) =>
  (one(rs, 'kubernetes:apps/v1:StatefulSet', 'orders-members').inputs as Obj).spec.template.spec;
const poolerPodOf = (rs: Registered[]) =>
  (one(rs, 'kubernetes:apps/v1:Deployment', 'orders-pooler').inputs as Obj).spec.template.spec;

describe('PostgresCluster with tls on kubernetes (mocks)', () => {
  const args = { instances: 3, platform: { kubernetes: K8S }, tls: { required: true } };

  test('GIVEN tls WHEN constructed THEN the certificates name every Service, pod and port-forward address', async () => {
    const { resources } = await build(args);
    const certs = resources.filter((r) => r.type.endsWith(':TlsCertificates'));
    assert.equal(certs.length, 1);
    const inputs = certs[0]!.inputs as Obj;
    assert.equal(inputs.caName, 'orders CA');
    assert.deepEqual(inputs.clients, ['replicator', 'rewinder']);
    assert.equal(inputs.server.commonName, 'orders-rw');
    for (const n of [
      'orders-rw',
      'orders-ro.db',
      'orders-r.db.svc',
      'orders-rw.db.svc.cluster.local',
      'orders-pooler.db.svc',
      '*.orders-members.db.svc',
      'localhost',
    ])
      assert.ok(inputs.server.dnsNames.includes(n), n);
    assert.deepEqual(inputs.server.ipAddresses, ['127.0.0.1', '::1']);
    assert.equal(inputs.days, 365);
    assert.equal(inputs.renewBeforeDays, 30);
  });

  test('GIVEN tls WHEN constructed THEN the Secret holds the CA, the server pair and both client pairs, as a Pulumi secret', async () => {
    const { resources } = await build(args);
    const secret = secretOf(resources, 'orders-tls');
    assert.ok(isSecretValue(secret.raw.stringData), 'stringData is secret');
    const data = secret.inputs.stringData as Record<string, string>;
    assert.deepEqual(Object.keys(data).sort(), [
      'ca.crt',
      'replicator.crt',
      'replicator.key',
      'rewinder.crt',
      'rewinder.key',
      'tls.crt',
      'tls.key',
    ]);
    assert.equal(data['tls.key'], 'serverKey-of-orders-tls-certificates');
    assert.equal(data['replicator.key'], 'clientKeys-replicator-of-orders-tls-certificates');
    // No key anywhere else: not in a ConfigMap, not in an environment variable.
    for (const r of resources.filter((x) => x.type === 'kubernetes:core/v1:ConfigMap'))
      assert.doesNotMatch(JSON.stringify(r.inputs), /Key-of-|Keys-/, r.name);
    assert.doesNotMatch(JSON.stringify(podOf(resources).containers), /Key-of-|Keys-/);
  });

  test('GIVEN a generated CA WHEN constructed THEN its pair is the kubernetes.io/tls Secret <name>-ca (a Pulumi secret), which <name>-tls names and no pod mounts', async () => {
    const { resources } = await build(args);
    const ca = secretOf(resources, 'orders-ca');
    assert.equal(ca.inputs.type, 'kubernetes.io/tls');
    assert.ok(isSecretValue(ca.raw.stringData), 'stringData is secret');
    assert.deepEqual(ca.inputs.stringData, {
      'tls.crt': 'caCert-of-orders-tls-certificates',
      'tls.key': 'caKey-of-orders-tls-certificates',
    });
    assert.deepEqual((secretOf(resources, 'orders-tls').inputs.metadata as Obj).annotations, {
      'pgcluster.io/ca-secret': 'orders-ca',
    });
    assert.doesNotMatch(JSON.stringify(podOf(resources).volumes), /orders-ca\b/);
  });

  test('GIVEN tls WHEN the members are rendered THEN they mount the Secret 0440 and speak TLS to each other by pod name', async () => {
    const { resources } = await build(args);
    const pod = podOf(resources);
    const volume = pod.volumes.find((v: Obj) => v.name === 'tls');
    assert.deepEqual(volume.secret, { secretName: TLS_SECRET, defaultMode: 0o440 });
    const postgres = pod.containers.find((c: Obj) => c.name === 'postgres');
    assert.deepEqual(
      postgres.volumeMounts.find((m: Obj) => m.name === 'tls'),
      { name: 'tls', mountPath: '/etc/pgcluster/tls', readOnly: true },
    );
    const env = Object.fromEntries(postgres.env.map((e: Obj) => [e.name, e.value]));
    assert.equal(
      env.PATRONI_POSTGRESQL_CONNECT_ADDRESS,
      '$(PATRONI_NAME).orders-members.$(PATRONI_KUBERNETES_NAMESPACE).svc:5432',
    );
    // Patroni's REST API is advertised on the pod IP and speaks HTTPS only: the probes too.
    assert.equal(env.PATRONI_RESTAPI_CONNECT_ADDRESS, '$(PATRONI_KUBERNETES_POD_IP):8008');
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe'])
      assert.equal(postgres[probe].httpGet.scheme, 'HTTPS', probe);
  });

  test('GIVEN tls WHEN Patroni is configured THEN ssl is on with the mounted files, hostssl rules and certificate replication', async () => {
    const { resources } = await build(args);
    const yaml = (one(resources, 'kubernetes:core/v1:ConfigMap', 'orders-patroni-config').inputs as Obj).data[
      'patroni.yml'
    ];
    const config = YAML.parse(yaml) as Obj;
    const params = config.postgresql.parameters;
    assert.equal(params.ssl, 'on');
    assert.equal(params.ssl_cert_file, '/etc/pgcluster/tls/tls.crt');
    assert.equal(params.ssl_key_file, '/etc/pgcluster/tls/tls.key');
    assert.equal(params.ssl_ca_file, '/etc/pgcluster/tls/ca.crt');
    assert.equal(params.ssl_min_protocol_version, 'TLSv1.2');
    assert.deepEqual(config.postgresql.authentication.replication, {
      username: 'replicator',
      sslmode: 'verify-full',
      sslrootcert: '/etc/pgcluster/tls/ca.crt',
      sslcert: '/etc/pgcluster/tls/replicator.crt',
      sslkey: '/etc/pgcluster/tls/replicator.key',
    });
    assert.equal(config.postgresql.authentication.rewind.sslcert, '/etc/pgcluster/tls/rewinder.crt');
    // The REST API serves the server certificate (it names every member pod and 127.0.0.1).
    assert.deepEqual(
      [config.restapi.certfile, config.restapi.keyfile, config.restapi.cafile],
      ['/etc/pgcluster/tls/tls.crt', '/etc/pgcluster/tls/tls.key', '/etc/pgcluster/tls/ca.crt'],
    );
    const hba: string[] = config.bootstrap.dcs.postgresql.pg_hba;
    assert.ok(hba.includes('hostssl replication replicator 0.0.0.0/0 cert'), hba.join('\n'));
    assert.ok(hba.includes('hostssl all rewinder 0.0.0.0/0 cert'));
    assert.ok(hba.includes('hostssl all all 0.0.0.0/0 scram-sha-256'));
    assert.ok(!hba.some((l) => l.startsWith('host ')), 'no plaintext TCP rule under tls.required');
  });

  test('GIVEN tls WHEN the pooler is rendered THEN it serves TLS and verifies the -rw Service, with only the server pair and the CA', async () => {
    const { resources } = await build(args);
    const ini = (one(resources, 'kubernetes:core/v1:ConfigMap', 'orders-pooler-config').inputs as Obj).data[
      'pgbouncer.ini'
    ] as string;
    for (const line of [
      'client_tls_sslmode = require',
      'client_tls_cert_file = /etc/pgcluster/tls/tls.crt',
      'client_tls_key_file = /etc/pgcluster/tls/tls.key',
      'server_tls_sslmode = verify-full',
      'server_tls_ca_file = /etc/pgcluster/tls/ca.crt',
    ])
      assert.ok(ini.split('\n').includes(line), line);
    const pod = poolerPodOf(resources);
    assert.deepEqual(pod.volumes.find((v: Obj) => v.name === 'tls').secret, {
      secretName: TLS_SECRET,
      defaultMode: 0o440,
      items: [
        { key: 'ca.crt', path: 'ca.crt' },
        { key: 'tls.crt', path: 'tls.crt' },
        { key: 'tls.key', path: 'tls.key' },
      ],
    });
  });

  test('GIVEN tls WHEN the app Secret and outputs are made THEN they carry the CA and verify-full URIs', async () => {
    const { resources, cluster } = await build(args);
    const data = secretOf(resources, 'orders-app').inputs.stringData as Record<string, string>;
    assert.equal(data['ca.crt'], 'caCert-of-orders-tls-certificates');
    assert.equal(data.uri, `postgresql://app:${data.password}@orders-rw.db.svc:5432/app?${CA_QUERY}`);
    assert.ok(data['jdbc-uri']!.endsWith(`&${CA_QUERY}`));
    assert.ok((await valueOf(cluster.connectionUri)).endsWith(`/app?${CA_QUERY}`));
    const admin = await valueOf(cluster.adminConnection);
    assert.equal(admin.ca, 'caCert-of-orders-tls-certificates');
    const ready = resources.find((r) => r.type.endsWith(':ClusterReady'))!.inputs as Obj;
    assert.equal(ready.caCert, 'caCert-of-orders-tls-certificates');
  });

  test('GIVEN tls WHEN validated THEN every Kubernetes object passes the OpenAPI schema', async () => {
    const { resources } = await build(args);
    const objects = resources.filter((r) => r.type.startsWith('kubernetes:'));
    assert.equal(
      objects.length,
      22,
      'the 20 objects of a cluster (with the fencing ConfigMap and the pooler admin Secret), the tls Secret and the CA Secret',
    );
    for (const r of objects)
      assert.doesNotThrow(() => validateKubernetesObject(r.inputs), `${r.type} ${r.name}`);
  });

  test('GIVEN tls enabled false WHEN constructed THEN no certificates, no tls Secret, plaintext URIs', async () => {
    const { resources, cluster } = await build({
      instances: 3,
      platform: { kubernetes: K8S },
      tls: { enabled: false },
    });
    assert.equal(resources.filter((r) => r.type.endsWith(':TlsCertificates')).length, 0);
    assert.equal(resources.filter((r) => r.name === 'orders-tls').length, 0);
    assert.ok(!(await valueOf(cluster.connectionUri)).includes('sslmode'));
    assert.equal(
      podOf(resources).volumes.find((v: Obj) => v.name === 'tls'),
      undefined,
    );
  });
});

describe('PostgresCluster with your own CA and server certificate on kubernetes (mocks)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgc-k8s-tls-mocks-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const files = (name: string, pem: { certificate: string; privateKey: string }) => {
    writeFileSync(join(dir, `${name}.crt`), pem.certificate);
    writeFileSync(join(dir, `${name}.key`), pem.privateKey, { mode: 0o600 });
    return { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
  };
  const all = [
    'orders-rw.db.svc',
    'orders-ro.db.svc',
    'orders-r.db.svc',
    'orders-pooler.db.svc',
    '*.orders-members.db.svc',
  ];
  let ca: { certFile: string; keyFile: string };
  let good: { certFile: string; keyFile: string };
  let noPods: { certFile: string; keyFile: string };
  let foreign: { certFile: string; keyFile: string };

  before(async () => {
    const mine = await createCa('my CA', 100);
    ca = files('ca', mine);
    const server = (dnsNames: string[], ipAddresses: string[], by = mine) =>
      issueCertificate(by, { commonName: 'orders-rw', dnsNames, ipAddresses, usage: 'server', days: 50 });
    good = files('good', await server(all, ['127.0.0.1']));
    noPods = files('no-pods', await server(all.slice(0, 4), []));
    foreign = files('foreign', await server(all, ['127.0.0.1'], await createCa('another CA', 100)));
  });

  const args = (tls: Record<string, unknown>) => ({ instances: 2, platform: { kubernetes: K8S }, tls });

  test('GIVEN your CA and a server certificate that names everything WHEN constructed THEN both go to TlsCertificates as Pulumi secrets', async () => {
    const { resources } = await build(args({ ca, server: good }));
    const certs = resources.find((r) => r.type.endsWith(':TlsCertificates'))!;
    assert.ok(isSecretValue(certs.raw.ca), 'the CA pair is secret');
    assert.ok(isSecretValue(certs.raw.ownServer), 'the server pair is secret');
    assert.match((certs.inputs.ownServer as Obj).privateKey, /BEGIN PRIVATE KEY/);
  });

  test('GIVEN your CA only WHEN constructed THEN the server certificate is generated and signed by it', async () => {
    const { resources } = await build(args({ ca }));
    const certs = resources.find((r) => r.type.endsWith(':TlsCertificates'))!;
    assert.ok(isSecretValue(certs.raw.ca));
    assert.equal(certs.inputs.ownServer, undefined);
  });

  for (const [what, server, expected] of [
    [
      'a server certificate without the pods and 127.0.0.1',
      () => noPods,
      /tls\.server\.certFile: .*no-pods\.crt does not name orders-1\.orders-members\.db\.svc, orders-2\.orders-members\.db\.svc, 127\.0\.0\.1: on Kubernetes/,
    ],
    [
      'a server certificate of another CA',
      () => foreign,
      /tls\.server\.certFile: .*foreign\.crt is issued by "CN=another CA", not by the CA of tls\.ca \("CN=my CA"\)/,
    ],
    [
      'a missing key file',
      () => ({ ...good, keyFile: join(dir, 'nope.key') }),
      /tls\.server\.keyFile: cannot read .*nope\.key \(ENOENT\)/,
    ],
  ] as const)
    test(`GIVEN ${what} WHEN constructed THEN it is refused naming the field`, async () => {
      setupMocks();
      assert.throws(() => new PostgresCluster('orders', args({ ca, server: server() })), expected);
    });
});

describe('PostgresCluster with tls.ca from a Secret on kubernetes (mocks)', () => {
  const args = { instances: 2, platform: { kubernetes: K8S }, tls: { ca: { secret: 'issuer' } } };
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  test('GIVEN the Secret without tls.key WHEN constructed THEN no apply throws: TlsCertificates gets the refusal, in clear, and its check fails with it', async () => {
    const mine = await createCa('my CA', 100);
    const { resources } = setupMocks({
      reads: { 'db/issuer': { data: { 'tls.crt': b64(mine.certificate) } } },
    });
    new PostgresCluster('orders', args);
    await settle(resources);
    const certs = resources.find((r) => r.type.endsWith(':TlsCertificates'))!;
    const refusal = certs.inputs.refusal as string;
    assert.equal(
      refusal,
      'PostgresCluster orders: tls.ca.secret: Secret "issuer" in namespace "db" has no tls.key: it must hold ' +
        "the CA's certificate as tls.crt and its private key as tls.key (PEM, e.g. type kubernetes.io/tls)",
    );
    assert.ok(!isSecretValue(certs.raw.refusal), 'the refusal names no value: not a secret');
    const { check } = await import('../../provider/pulumi/tls-certificates-impl');
    assert.deepEqual(await check({} as never, certs.inputs as never), {
      failures: [{ property: 'ca', reason: refusal }],
    });
  });

  test('GIVEN the Secret with both keys WHEN constructed THEN the CA goes to TlsCertificates as a Pulumi secret, with no refusal', async () => {
    const mine = await createCa('my CA', 100);
    const { resources } = setupMocks({
      reads: {
        'db/issuer': { data: { 'tls.crt': b64(mine.certificate), 'tls.key': b64(mine.privateKey) } },
      },
    });
    new PostgresCluster('orders', args);
    await settle(resources);
    const certs = resources.find((r) => r.type.endsWith(':TlsCertificates'))!;
    assert.ok(isSecretValue(certs.raw.ca), 'the CA pair is secret');
    assert.equal((certs.inputs.ca as Obj).certificate, mine.certificate);
    assert.equal(certs.inputs.refusal, undefined);
  });
});
