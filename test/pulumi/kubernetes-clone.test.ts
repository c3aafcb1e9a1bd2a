/**
 * bootstrap.pgBasebackup on kubernetes under mocks: Patroni's custom bootstrap runs the clone script
 * the ConfigMap carries, with a clone.json that holds no secret; the source's password is a pgpass
 * line in a Secret of its own (a Pulumi secret), mounted read-only in the member pods, and no other
 * object holds it; every object valid against the Kubernetes OpenAPI schemas.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { isSecretValue, settle, setupMocks, valueOf, type Registered } from '../helpers/pulumi-mocks';
import { validateKubernetesObject } from '../helpers/k8s-openapi';
import { PostgresCluster } from '../../provider/pulumi/component';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const K8S = { namespace: 'db', image: 'example.org/pg:15' };
const PASSWORD = 'source:pass\\word-example';

async function build(args: Record<string, unknown>): Promise<Registered[]> {
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

const source = (password?: object) => ({
  pgBasebackup: {
    source: {
      host: 'legacy.db.svc',
      port: 5433,
      user: 'cloner',
      sslMode: 'require',
      ...(password ? { password } : {}),
    },
  },
});

describe('bootstrap.pgBasebackup on kubernetes (mocks)', () => {
  process.env.PGC_K8S_CLONE_PW = PASSWORD;

  test('GIVEN a source with a password WHEN constructed THEN the pods clone with the script, the password only in its Secret', async () => {
    const resources = await build({
      instances: 2,
      platform: { kubernetes: K8S },
      storage: { size: '1Gi', walSize: '1Gi' },
      bootstrap: source({ fromEnv: 'PGC_K8S_CLONE_PW' }),
    });
    const config = one(resources, 'kubernetes:core/v1:ConfigMap', 'orders-patroni-config');
    const data = (config.inputs as Obj).data as Record<string, string>;
    const patroni = YAML.parse(data['patroni.yml'] as string) as Obj;
    assert.equal(patroni.bootstrap.method, 'pgcluster_clone');
    assert.deepEqual(patroni.bootstrap.pgcluster_clone, {
      command: 'python3 /etc/patroni/clone-basebackup.py /etc/patroni/clone.json',
      no_params: true,
    });
    assert.equal(
      data['clone-basebackup.py'],
      readFileSync(
        join(__dirname, '..', '..', 'provider', 'platform', 'local', 'scripts', 'clone-basebackup.py'),
        'utf8',
      ),
      'the same script as a local member runs',
    );
    assert.deepEqual(JSON.parse(data['clone.json'] as string), {
      pgBasebackup: '/usr/lib/postgresql/15/bin/pg_basebackup',
      dataDir: '/var/lib/postgresql/data/pgdata',
      walDir: '/var/lib/postgresql/wal/pg_wal',
      host: 'legacy.db.svc',
      port: 5433,
      user: 'cloner',
      database: 'postgres',
      sslMode: 'require',
      passFile: '/etc/pgcluster-clone/pgpass',
      keepPassFile: true,
    });

    const secret = one(resources, 'kubernetes:core/v1:Secret', 'orders-clone-source');
    assert.ok(isSecretValue(secret.raw.stringData), 'stringData is a Pulumi secret');
    assert.deepEqual((secret.inputs as Obj).stringData, {
      pgpass: 'legacy.db.svc:5433:*:cloner:source\\:pass\\\\word-example\n',
    });
    assert.equal((secret.inputs as Obj).metadata.name, 'orders-clone-source');

    const sts = one(resources, 'kubernetes:apps/v1:StatefulSet', 'orders-members');
    const pod = (sts.inputs as Obj).spec.template.spec as Obj;
    assert.deepEqual(
      pod.volumes.find((v: Obj) => v.name === 'clone'),
      { name: 'clone', secret: { secretName: 'orders-clone-source', defaultMode: 0o400 } },
    );
    const postgres = pod.containers.find((c: Obj) => c.name === 'postgres') as Obj;
    assert.deepEqual(
      postgres.volumeMounts.find((m: Obj) => m.name === 'clone'),
      { name: 'clone', mountPath: '/etc/pgcluster-clone', readOnly: true },
    );
    for (const r of resources.filter((x) => x.name !== 'orders-clone-source'))
      assert.ok(!JSON.stringify(r.inputs).includes('word-example'), `${r.type} ${r.name} holds the password`);
    for (const [type, name, apiVersion, kind] of [
      ['kubernetes:core/v1:Secret', 'orders-clone-source', 'v1', 'Secret'],
      ['kubernetes:core/v1:ConfigMap', 'orders-patroni-config', 'v1', 'ConfigMap'],
      ['kubernetes:apps/v1:StatefulSet', 'orders-members', 'apps/v1', 'StatefulSet'],
    ] as const)
      validateKubernetesObject({ apiVersion, kind, ...one(resources, type, name).inputs });
  });

  test('GIVEN a source without a password WHEN constructed THEN no Secret, no mount, no passFile', async () => {
    const resources = await build({ instances: 2, platform: { kubernetes: K8S }, bootstrap: source() });
    assert.equal(resources.filter((r) => r.name === 'orders-clone-source').length, 0);
    const data = (one(resources, 'kubernetes:core/v1:ConfigMap', 'orders-patroni-config').inputs as Obj)
      .data as Record<string, string>;
    const clone = JSON.parse(data['clone.json'] as string) as Obj;
    assert.equal(clone.passFile, undefined);
    assert.equal(clone.walDir, undefined);
    const sts = one(resources, 'kubernetes:apps/v1:StatefulSet', 'orders-members');
    assert.ok(!JSON.stringify(sts.inputs).includes('pgcluster-clone'));
  });

  test('GIVEN initdb WHEN constructed THEN the ConfigMap holds patroni.yml, the fencing scripts and the peer watch only', async () => {
    const resources = await build({ instances: 2, platform: { kubernetes: K8S } });
    const data = (one(resources, 'kubernetes:core/v1:ConfigMap', 'orders-patroni-config').inputs as Obj).data;
    assert.deepEqual(Object.keys(data).sort(), [
      'k8s-fence-old-primary.py',
      'k8s-member.py',
      'k8s-peer-watch.py',
      'k8s_patroni_rest.py',
      'patroni.yml',
    ]);
    const off = await build({ instances: 2, platform: { kubernetes: { ...K8S, peerWatch: false } } });
    const offData = (one(off, 'kubernetes:core/v1:ConfigMap', 'orders-patroni-config').inputs as Obj).data;
    assert.deepEqual(Object.keys(offData).sort(), [
      'k8s-fence-old-primary.py',
      'k8s-member.py',
      'k8s_patroni_rest.py',
      'patroni.yml',
    ]);
    const pod = (one(off, 'kubernetes:apps/v1:StatefulSet', 'orders-members').inputs as Obj).spec.template
      .spec;
    assert.deepEqual(
      pod.containers.map((c: Obj) => c.name),
      ['postgres'],
      'peerWatch: false runs no sidecar',
    );
  });
});
