/**
 * examples/multi-site/kubernetes under mocks: two @pulumi/kubernetes providers, each cluster's
 * objects registered with its own; the replica cluster's Patroni standby_cluster follows the
 * source's -rw Service with verify-full replication; its members read the source's passwords from
 * the Secret the program writes from the source's outputs; every password is a Pulumi secret.
 */
import { before, describe, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import * as pulumi from '@pulumi/pulumi';
import { isSecretValue, settle, setupMocks, valueOf, type Registered } from '../helpers/pulumi-mocks';
import { validateKubernetesObject } from '../helpers/k8s-openapi';
import { createCa } from '../../provider/secrets/x509';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NS_A = 'orders-site-a';
const NS_B = 'orders-site-b';

function one(resources: Registered[], type: string, name: string): Registered {
  const found = resources.filter((r) => r.type === type && r.name === name);
  assert.equal(found.length, 1, `${type} ${name}: found ${found.length}`);
  return found[0] as Registered;
}

const patroniOf = (rs: Registered[], cluster: string) =>
  YAML.parse(
    (one(rs, 'kubernetes:core/v1:ConfigMap', `${cluster}-patroni-config`).inputs as Obj).data['patroni.yml'],
  ) as Obj;
const podOf = (rs: Registered[], cluster: string) =>
  (one(rs, 'kubernetes:apps/v1:StatefulSet', `${cluster}-members`).inputs as Obj).spec.template.spec;

describe('examples/multi-site/kubernetes (mocks): two providers, a primary and a replica cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgc-multi-site-mocks-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  let resources: Registered[];
  let program: Record<string, pulumi.Output<unknown>>;

  before(async () => {
    const ca = await createCa('orders group CA', 100);
    writeFileSync(join(dir, 'ca.crt'), ca.certificate);
    writeFileSync(join(dir, 'ca.key'), ca.privateKey, { mode: 0o600 });
    pulumi.runtime.setConfig('pgcluster-test:caCertFile', join(dir, 'ca.crt'));
    pulumi.runtime.setConfig('pgcluster-test:caKeyFile', join(dir, 'ca.key'));
    // Each site through its own kubeconfig file and context (the example's providers and deployers).
    for (const site of ['a', 'b']) {
      const kubeconfig = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: `k8s-${site}`, cluster: { server: `https://site-${site}.example:6443` } }],
        users: [{ name: `deployer-${site}`, user: { token: `token-${site}` } }],
        contexts: [{ name: `site-${site}`, context: { cluster: `k8s-${site}`, user: `deployer-${site}` } }],
        'current-context': `site-${site}`,
      };
      writeFileSync(join(dir, `kubeconfig-${site}`), YAML.stringify(kubeconfig), { mode: 0o600 });
      const key = site.toUpperCase();
      pulumi.runtime.setConfig(`pgcluster-test:kubeconfig${key}`, join(dir, `kubeconfig-${site}`));
      pulumi.runtime.setConfig(`pgcluster-test:context${key}`, `site-${site}`);
    }
    ({ resources } = setupMocks());
    program = await import('../../examples/multi-site/kubernetes/index');
    await valueOf(program.replicaEndpoints!);
    await settle(resources);
  });

  test('GIVEN two providers WHEN run THEN every object of site A goes to provider site-a and of site B to site-b', () => {
    const providers = resources.filter((r) => r.type === 'pulumi:providers:kubernetes').map((r) => r.name);
    assert.deepEqual(providers.sort(), ['site-a', 'site-b']);
    const objects = resources.filter((r) => r.type.startsWith('kubernetes:'));
    const inA = objects.filter((r) => (r.inputs.metadata as Obj | undefined)?.namespace === NS_A);
    const inB = objects.filter((r) => (r.inputs.metadata as Obj | undefined)?.namespace === NS_B);
    assert.ok(inA.length > 15, `site A objects: ${inA.length}`);
    assert.ok(inB.length > 15, `site B objects: ${inB.length}`);
    for (const r of inA) assert.match(r.provider ?? '', /::site-a::/, `${r.type} ${r.name}: ${r.provider}`);
    for (const r of inB) assert.match(r.provider ?? '', /::site-b::/, `${r.type} ${r.name}: ${r.provider}`);
    // Nothing of a cluster is on the other site: no object left without a namespace but the namespaces.
    const elsewhere = objects.filter((r) => !inA.includes(r) && !inB.includes(r));
    assert.deepEqual(elsewhere.map((r) => r.type).sort(), [
      'kubernetes:core/v1:Namespace',
      'kubernetes:core/v1:Namespace',
    ]);
    for (const r of objects) validateKubernetesObject(r.inputs);
  });

  test("GIVEN the replica cluster WHEN run THEN its Patroni bootstraps a standby cluster following the source's -rw Service", () => {
    const b = patroniOf(resources, 'orders-b');
    assert.deepEqual(b.bootstrap.dcs.standby_cluster, {
      create_replica_methods: ['basebackup'],
      host: `orders-a-rw.${NS_A}.svc`,
      port: 5432,
    });
    // The replication connection, to the source too, verifies the server by the group CA.
    assert.deepEqual(
      { ...b.postgresql.authentication.replication },
      {
        username: 'orders_b_replication',
        sslmode: 'verify-full',
        sslrootcert: '/etc/pgcluster/tls/ca.crt',
        sslcert: '/etc/pgcluster/tls/replicator.crt',
        sslkey: '/etc/pgcluster/tls/replicator.key',
      },
    );
    assert.equal(patroniOf(resources, 'orders-a').bootstrap.dcs.standby_cluster, undefined);
  });

  test('GIVEN orders-b streaming as its own role WHEN run THEN its certificate is made for that role and orders-a admits it for replication by certificate', () => {
    const certificates = (cluster: string) =>
      one(resources, 'pulumi-nodejs:dynamic/pgcluster:TlsCertificates', `${cluster}-tls-certificates`)
        .inputs as Obj;
    // orders-b's superuser's too: its deployer and the CLI log in with it (no source password).
    assert.deepEqual(certificates('orders-b').clients, [
      'orders_b_replication',
      'rewinder',
      'pgcluster-superuser.orders-b',
    ]);
    assert.deepEqual(certificates('orders-a').clients, ['replicator', 'rewinder']);
    const hba = (cluster: string): string[] => {
      const p = patroniOf(resources, cluster);
      return (p.bootstrap.dcs.postgresql?.pg_hba ?? p.postgresql.pg_hba) as string[];
    };
    assert.ok(
      hba('orders-a').includes('hostssl replication orders_b_replication 0.0.0.0/0 cert'),
      hba('orders-a').join('\n'),
    );
    assert.ok(hba('orders-a').includes('hostssl replication replicator 0.0.0.0/0 cert'));
    // orders-b's own replicas cascade from its standby leader as the same role.
    assert.ok(hba('orders-b').includes('hostssl replication orders_b_replication 0.0.0.0/0 cert'));
    // orders-b maps its own superuser certificate to postgres; orders-a admits no such certificate.
    assert.ok(hba('orders-b').includes('hostssl all postgres 0.0.0.0/0 cert map=pgcluster-superuser'));
    assert.deepEqual(patroniOf(resources, 'orders-b').postgresql.pg_ident, [
      'pgcluster-superuser pgcluster-superuser.orders-b postgres',
    ]);
    assert.equal(
      hba('orders-a').some((l) => l.includes('map=')),
      false,
    );
    assert.equal(patroniOf(resources, 'orders-a').postgresql.pg_ident, undefined);
    const role = one(resources, 'pulumi-nodejs:dynamic/pgcluster:Role', 'orders-a-role-orders_b_replication');
    assert.equal((role.inputs as Obj).replication, true);
    assert.equal((role.inputs as Obj).login, true);
  });

  test("GIVEN the source's outputs WHEN run THEN its passwords reach site B as a Pulumi secret the replica's members read", () => {
    const secret = one(resources, 'kubernetes:core/v1:Secret', 'orders-a-source');
    assert.ok(isSecretValue(secret.raw.stringData), 'stringData is a Pulumi secret');
    // Not orders-a's replicator password: orders-b streams as its own role, by its certificate.
    // No superuser password crosses: orders-b's superuser logs in by peer and by its certificate.
    assert.deepEqual(secret.inputs.stringData, {
      'replication-password': '',
      'rewind-password': 'pw-orders-a-rewind-password',
    });
    const env = (podOf(resources, 'orders-b').containers as Obj[]).find((c) => c.name === 'postgres')!
      .env as Obj[];
    const ref = (name: string) => env.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
    assert.equal(
      env.some((e) => e.name === 'PATRONI_SUPERUSER_PASSWORD'),
      false,
    );
    assert.deepEqual(ref('PATRONI_REPLICATION_PASSWORD'), {
      name: 'orders-a-source',
      key: 'replication-password',
    });
    assert.deepEqual(ref('PATRONI_REWIND_PASSWORD'), { name: 'orders-a-source', key: 'rewind-password' });
    for (const e of env) assert.equal(/PASSWORD/.test(e.name) && e.value !== undefined, false, e.name);
    // orders-b's deployer (readiness, scale guard) logs in with its superuser certificate, a secret,
    // and its own superuser Secret holds it for the CLI.
    const cert = {
      cert: 'clientCerts-pgcluster-superuser.orders-b-of-orders-b-tls-certificates',
      key: 'clientKeys-pgcluster-superuser.orders-b-of-orders-b-tls-certificates',
    };
    for (const type of ['ClusterReady', 'ScaleDownGuard']) {
      const step = resources.find(
        (r) => r.type === `pulumi-nodejs:dynamic/pgcluster:${type}` && r.name.startsWith('orders-b'),
      )!;
      assert.deepEqual(step.inputs.superuserCert, cert, type);
      assert.ok(isSecretValue(step.raw.superuserCert), `${type}: superuserCert is a Pulumi secret`);
      const a = resources.find(
        (r) => r.type === `pulumi-nodejs:dynamic/pgcluster:${type}` && r.name.startsWith('orders-a'),
      )!;
      assert.equal(a.inputs.superuserCert, undefined, type);
    }
    const own = one(resources, 'kubernetes:core/v1:Secret', 'orders-b-superuser').inputs.stringData as Obj;
    assert.equal(own['tls.crt'], cert.cert);
    assert.equal(own['tls.key'], cert.key);
    // The source's own members keep their own Secrets; every Secret's data is a Pulumi secret.
    const envA = (podOf(resources, 'orders-a').containers as Obj[]).find((c) => c.name === 'postgres')!
      .env as Obj[];
    assert.equal(
      envA.find((e) => e.name === 'PATRONI_SUPERUSER_PASSWORD')?.valueFrom?.secretKeyRef?.name,
      'orders-a-superuser',
    );
    for (const s of resources.filter((r) => r.type === 'kubernetes:core/v1:Secret'))
      assert.ok(isSecretValue(s.raw.stringData), `${s.name}: stringData is a Pulumi secret`);
  });

  test('GIVEN both clusters WHEN run THEN the outputs say which is read-only and where the source is', async () => {
    assert.equal(await valueOf(program.replicaReadOnly!), true);
    assert.equal(await valueOf(program.sourceHost!), `orders-a-rw.${NS_A}.svc`);
    const a = resources.find(
      (r) => r.type === 'pulumi-nodejs:dynamic/pgcluster:ClusterReady' && r.name.startsWith('orders-a'),
    );
    const b = resources.find(
      (r) => r.type === 'pulumi-nodejs:dynamic/pgcluster:ClusterReady' && r.name.startsWith('orders-b'),
    );
    assert.equal((a?.inputs.spec as Obj).replica, undefined);
    assert.equal((b?.inputs.spec as Obj).replica.source.secret, 'orders-a-source');
  });

  test("GIVEN each site's kubeconfig and context WHEN run THEN each cluster's deployer resources reach its site through them: a secret, in no spec", () => {
    for (const site of ['a', 'b']) {
      const file = join(dir, `kubeconfig-${site}`);
      const deployer = resources.filter(
        (r) =>
          /:(ClusterReady|ScaleDownGuard|MemberStorage)$/.test(r.type) &&
          r.name.startsWith(`orders-${site}-`),
      );
      assert.deepEqual(deployer.map((r) => r.type.split(':').pop()).sort(), [
        'ClusterReady',
        'MemberStorage',
        'ScaleDownGuard',
      ]);
      for (const r of deployer) {
        assert.ok(isSecretValue(r.raw.kubeconfig), `${r.type} ${r.name}: the kubeconfig is a Pulumi secret`);
        assert.equal(r.inputs.kubeconfig, file, `${r.type} ${r.name}`);
        const spec = r.inputs.spec as Obj | undefined;
        if (spec) {
          assert.equal(spec.platform.kubernetes.context, `site-${site}`);
          assert.ok(!('kubeconfig' in spec.platform.kubernetes), `${r.name}: no kubeconfig in the spec`);
        } else assert.equal(r.inputs.context, `site-${site}`);
      }
    }
  });
});
