/**
 * PostgresCluster under pulumi.runtime.setMocks: every child of a 3-instance kubernetes cluster
 * with a pooler is asserted and validated against the Kubernetes OpenAPI schemas; names are a
 * contract; invalid args register nothing; the local platform registers one dynamic resource.
 */
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretValue, settle, setupMocks, valueOf, type Registered } from '../helpers/pulumi-mocks';
import { validateKubernetesObject } from '../helpers/k8s-openapi';
import * as pulumi from '@pulumi/pulumi';
import { ResourceError } from '@pulumi/pulumi';
import { PostgresCluster } from '../../provider/pulumi/component';
import { PATRONI_RULES } from '../../provider/render/kubernetes';
import { roleVerifier } from '../../provider/secrets/scram';

const K8S = {
  namespace: 'db',
  image: 'example.org/pg:15',
};

/** A kubeconfig with one context, site-a. */
const ONE_CONTEXT = [
  'apiVersion: v1',
  'kind: Config',
  'clusters: [{name: k, cluster: {server: "https://site-a.example:6443"}}]',
  'users: [{name: u, user: {token: t}}]',
  'contexts: [{name: site-a, context: {cluster: k, user: u}}]',
  'current-context: site-a',
  '',
].join('\n');

async function build(
  args: Record<string, unknown>,
  name = 'orders',
): Promise<{ resources: Registered[]; cluster: PostgresCluster }> {
  const { resources } = setupMocks();
  const cluster = new PostgresCluster(name, args);
  await valueOf(cluster.urn);
  await settle(resources);
  return { resources, cluster };
}

function one(resources: Registered[], type: string, name: string): Registered {
  const found = resources.filter((r) => r.type === type && r.name === name);
  assert.equal(found.length, 1, `${type} ${name}: found ${found.length}`);
  return found[0] as Registered;
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('PostgresCluster on kubernetes (mocks)', () => {
  const args = {
    instances: 3,
    platform: { kubernetes: K8S },
    synchronous: { number: 1 },
    storage: { size: '20Gi', walSize: '5Gi' },
  };

  test('GIVEN 3 instances with a pooler WHEN constructed THEN exactly the expected children are registered', async () => {
    const { resources } = await build(args);
    const tree = resources.map((r) => `${r.type} ${r.name}`).sort();
    assert.deepEqual(tree, [
      'kubernetes:apps/v1:Deployment orders-pooler',
      'kubernetes:apps/v1:StatefulSet orders-members',
      'kubernetes:core/v1:ConfigMap orders-fencing',
      'kubernetes:core/v1:ConfigMap orders-patroni-config',
      'kubernetes:core/v1:ConfigMap orders-pooler-config',
      'kubernetes:core/v1:Secret orders-app',
      'kubernetes:core/v1:Secret orders-ca',
      'kubernetes:core/v1:Secret orders-pooler-admin',
      'kubernetes:core/v1:Secret orders-pooler-auth',
      'kubernetes:core/v1:Secret orders-replication',
      'kubernetes:core/v1:Secret orders-superuser',
      'kubernetes:core/v1:Secret orders-tls',
      'kubernetes:core/v1:Service orders-members-headless',
      'kubernetes:core/v1:Service orders-pooler',
      'kubernetes:core/v1:Service orders-r',
      'kubernetes:core/v1:Service orders-ro',
      'kubernetes:core/v1:Service orders-rw',
      'kubernetes:core/v1:ServiceAccount orders-serviceaccount',
      'kubernetes:policy/v1:PodDisruptionBudget orders-pdb',
      'kubernetes:policy/v1:PodDisruptionBudget orders-pooler-pdb',
      'kubernetes:rbac.authorization.k8s.io/v1:Role orders-role',
      'kubernetes:rbac.authorization.k8s.io/v1:RoleBinding orders-rolebinding',
      'pgcluster:index:PostgresCluster orders',
      'pulumi-nodejs:dynamic/pgcluster:ClusterReady orders-ready',
      'pulumi-nodejs:dynamic/pgcluster:GeneratedPassword orders-app-password',
      'pulumi-nodejs:dynamic/pgcluster:GeneratedPassword orders-pooler-admin-password',
      'pulumi-nodejs:dynamic/pgcluster:GeneratedPassword orders-replication-password',
      'pulumi-nodejs:dynamic/pgcluster:GeneratedPassword orders-rewind-password',
      'pulumi-nodejs:dynamic/pgcluster:GeneratedPassword orders-superuser-password',
      'pulumi-nodejs:dynamic/pgcluster:MemberStorage orders-storage',
      'pulumi-nodejs:dynamic/pgcluster:ScaleDownGuard orders-scale-guard',
      'pulumi-nodejs:dynamic/pgcluster:TlsCertificates orders-tls-certificates',
    ]);
  });

  test('GIVEN the children WHEN validated THEN every Kubernetes object passes the OpenAPI schema', async () => {
    const { resources } = await build(args);
    const objects = resources.filter((r) => r.type.startsWith('kubernetes:'));
    assert.equal(objects.length, 22);
    for (const r of objects) {
      assert.doesNotThrow(() => validateKubernetesObject(r.inputs), `${r.type} ${r.name}`);
      assert.equal((r.inputs.metadata as Obj).namespace, 'db', `${r.name} namespace`);
    }
    // The validation itself can fail: a wrong type is refused.
    const sts = one(resources, 'kubernetes:apps/v1:StatefulSet', 'orders-members').inputs as Obj;
    assert.throws(
      () => validateKubernetesObject({ ...sts, spec: { ...sts.spec, replicas: 'three' } }),
      /replicas/,
    );
  });

  test('GIVEN the members WHEN services select them THEN selectors match the labels Patroni sets', async () => {
    const { resources } = await build(args);
    const sts = one(resources, 'kubernetes:apps/v1:StatefulSet', 'orders-members').inputs as Obj;
    const podLabels = sts.spec.template.metadata.labels as Record<string, string>;
    assert.equal(sts.spec.replicas, 3);
    assert.deepEqual(sts.spec.ordinals, { start: 1 });
    assert.equal(podLabels['cluster-name'], 'orders', 'Patroni scope label');
    const selector = (name: string) =>
      (one(resources, 'kubernetes:core/v1:Service', name).inputs as Obj).spec.selector;
    const matches = (sel: Record<string, string>, labels: Record<string, string>) =>
      Object.entries(sel).every(([k, v]) => labels[k] === v);
    // Patroni 3.0 labels the leader role=master and replicas role=replica.
    assert.ok(matches(selector('orders-rw'), { ...podLabels, role: 'primary' }));
    assert.ok(!matches(selector('orders-rw'), { ...podLabels, role: 'replica' }));
    assert.ok(matches(selector('orders-ro'), { ...podLabels, role: 'replica' }));
    assert.ok(!matches(selector('orders-ro'), { ...podLabels, role: 'primary' }));
    assert.ok(matches(selector('orders-r'), podLabels));
    assert.ok(matches(sts.spec.selector.matchLabels, podLabels));
    // Patroni finds its pods by its configured labels plus the scope label.
    const yaml = (one(resources, 'kubernetes:core/v1:ConfigMap', 'orders-patroni-config').inputs as Obj).data[
      'patroni.yml'
    ];
    assert.match(
      yaml,
      /kubernetes:\n(?: {2}\S.*\n)*? {2}labels:\n {4}app.kubernetes.io\/instance: orders\n {4}app.kubernetes.io\/managed-by: pgcluster/,
    );
    assert.match(yaml, /kubernetes:\n(?: {2}.*\n)*? {2}namespace: db\n/);
    // A top-level namespace (the etcd key prefix) would replace kubernetes.namespace in Patroni.
    assert.doesNotMatch(yaml, /^namespace:/m);
    // Patroni 4's label values, set explicitly: what the -rw/-ro selectors match.
    assert.match(yaml, /leader_label_value: primary\n/);
    assert.match(yaml, /follower_label_value: replica\n/);
    assert.match(yaml, /use_endpoints: false/);
    assert.match(yaml, /role_label: role/);
    assert.doesNotMatch(yaml, /\bpassword:/, 'no password in the ConfigMap');
  });

  test('GIVEN the pod template THEN probes hit Patroni, security is restricted, members spread across nodes', async () => {
    const { resources } = await build(args);
    const pod = (one(resources, 'kubernetes:apps/v1:StatefulSet', 'orders-members').inputs as Obj).spec
      .template.spec;
    const c = pod.containers[0];
    // Patroni's REST API is HTTPS under tls (the default).
    assert.deepEqual(c.readinessProbe.httpGet, { path: '/readiness', port: 8008, scheme: 'HTTPS' });
    assert.deepEqual(c.livenessProbe.httpGet, { path: '/liveness', port: 8008, scheme: 'HTTPS' });
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
    assert.equal(c.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(c.securityContext.capabilities, { drop: ['ALL'] });
    const term =
      pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm;
    assert.equal(term.topologyKey, 'kubernetes.io/hostname');
    assert.equal(term.labelSelector.matchLabels['cluster-name'], 'orders');
    assert.equal(pod.serviceAccountName, 'orders');
    const passwords = c.env.filter((e: Obj) => /PASSWORD/.test(e.name));
    assert.ok(passwords.length === 3 && passwords.every((e: Obj) => e.valueFrom.secretKeyRef));
    const claims = (one(resources, 'kubernetes:apps/v1:StatefulSet', 'orders-members').inputs as Obj).spec
      .volumeClaimTemplates;
    assert.deepEqual(
      claims.map((v: Obj) => [v.metadata.name, v.spec.resources.requests.storage]),
      [
        ['data', '20Gi'],
        ['wal', '5Gi'],
      ],
    );
  });

  test('GIVEN RBAC THEN the Role grants exactly what the Kubernetes DCS and the pre_promote fencing (deleting a pod) need, bound to the pods service account', async () => {
    const { resources } = await build(args);
    const role = one(resources, 'kubernetes:rbac.authorization.k8s.io/v1:Role', 'orders-role').inputs as Obj;
    assert.deepEqual(role.rules, PATRONI_RULES);
    assert.deepEqual(
      role.rules.map((r: Obj) => [r.resources, [...r.verbs].sort()]),
      [
        [['configmaps'], ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']],
        [['pods'], ['delete', 'get', 'list', 'patch', 'update', 'watch']],
      ],
    );
    const binding = one(
      resources,
      'kubernetes:rbac.authorization.k8s.io/v1:RoleBinding',
      'orders-rolebinding',
    ).inputs as Obj;
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'orders', namespace: 'db' }]);
    assert.equal(binding.roleRef.name, 'orders-patroni');
  });

  test('GIVEN the secrets THEN the app secret has every key, and secret values are Pulumi secrets', async () => {
    const { resources, cluster } = await build(args);
    const app = one(resources, 'kubernetes:core/v1:Secret', 'orders-app');
    const data = app.inputs.stringData as Record<string, string>;
    assert.deepEqual(Object.keys(data).sort(), [
      'ca.crt',
      'dbname',
      'host',
      'jdbc-uri',
      'password',
      'pgpass',
      'port',
      'uri',
      'username',
    ]);
    assert.equal(data.host, 'orders-rw.db.svc');
    // TLS is on by default: the URI verifies the server with the CA the Secret carries.
    assert.equal(
      data.uri,
      `postgresql://app:${data.password}@orders-rw.db.svc:5432/app?sslmode=verify-full&sslrootcert=/etc/pgcluster/app/ca.crt`,
    );
    for (const name of ['orders-app', 'orders-superuser', 'orders-replication', 'orders-pooler-auth'])
      assert.ok(
        isSecretValue(one(resources, 'kubernetes:core/v1:Secret', name).raw.stringData),
        `${name} stringData is secret`,
      );
    assert.ok(await valueOf(cluster.connectionUri.apply(() => true)));
    assert.equal(await pulumiIsSecret(cluster.connectionUri), true);
    const pdb = one(resources, 'kubernetes:policy/v1:PodDisruptionBudget', 'orders-pdb').inputs as Obj;
    assert.equal(pdb.spec.maxUnavailable, 1);
    // The pooler's own budget, over the PgBouncer pods only; 2 pods by default, spread over nodes.
    const poolerPdb = one(resources, 'kubernetes:policy/v1:PodDisruptionBudget', 'orders-pooler-pdb')
      .inputs as Obj;
    assert.equal(poolerPdb.spec.maxUnavailable, 1);
    assert.deepEqual(
      poolerPdb.spec.selector.matchLabels,
      (one(resources, 'kubernetes:apps/v1:Deployment', 'orders-pooler').inputs as Obj).spec.selector
        .matchLabels,
    );
    const deployment = one(resources, 'kubernetes:apps/v1:Deployment', 'orders-pooler').inputs as Obj;
    assert.equal(deployment.spec.replicas, 2);
    assert.equal(
      deployment.spec.template.spec.affinity.podAntiAffinity
        .preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey,
      'kubernetes.io/hostname',
    );
    assert.deepEqual(await valueOf(cluster.endpoints), {
      rw: 'orders-rw.db.svc:5432',
      ro: 'orders-ro.db.svc:5432',
      r: 'orders-r.db.svc:5432',
      pooler: 'orders-pooler.db.svc:5432',
    });
    assert.equal(await valueOf(cluster.appSecretName), 'orders-app');
  });

  test('GIVEN the same spec twice THEN the identical tree; a changed spec changes only what it should', async () => {
    const first = await build(args);
    const second = await build(args);
    const shape = (rs: Registered[]) => rs.map((r) => [r.type, r.name, JSON.stringify(r.inputs)]).sort();
    assert.deepEqual(shape(second.resources), shape(first.resources));
    const changed = await build({ ...args, instances: 5, parameters: { work_mem: '64MB' } });
    assert.deepEqual(
      changed.resources.map((r) => `${r.type} ${r.name}`).sort(),
      first.resources.map((r) => `${r.type} ${r.name}`).sort(),
    );
    const differing = changed.resources
      .filter((r) => {
        const before = first.resources.find((b) => b.type === r.type && b.name === r.name)!;
        return JSON.stringify(before.inputs) !== JSON.stringify(r.inputs);
      })
      .map((r) => r.name)
      .sort();
    assert.deepEqual(differing, [
      'orders-members',
      'orders-patroni-config',
      'orders-ready',
      'orders-scale-guard',
    ]);
  });

  test('GIVEN pooler.instances 3 WHEN constructed THEN the Deployment runs 3 PgBouncer pods', async () => {
    const { resources } = await build({ ...args, pooler: { instances: 3 } });
    assert.equal(
      (one(resources, 'kubernetes:apps/v1:Deployment', 'orders-pooler').inputs as Obj).spec.replicas,
      3,
    );
  });

  test('GIVEN pooler.enabled false THEN no pooler objects', async () => {
    const { resources } = await build({ ...args, pooler: { enabled: false } });
    assert.ok(!resources.some((r) => r.name.includes('pooler')));
  });
});

describe('PostgresCluster args validation (mocks)', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['instances 0', { instances: 0 }, /instances: 0 is not allowed: must be >= 1/],
    ['an unknown key', { instancs: 3 }, /instancs: unknown key \(did you mean "instances"\?\)/],
    [
      'synchronous.number >= instances',
      { instances: 2, synchronous: { number: 2 } },
      /synchronous\.number: 2 must be < instances \(2\)/,
    ],
    ['an uppercase name', { name: 'Orders' }, /name: "Orders" is not allowed/],
    [
      'a backup.s3.caFile that does not exist on kubernetes',
      {
        platform: { kubernetes: K8S },
        backup: { s3: { bucket: 'orders-wal', caFile: 'no-such-ca.pem' }, schedule: {} },
      },
      /backup\.s3\.caFile: cannot read .*no-such-ca\.pem \(ENOENT\)/,
    ],
    [
      "bootstrap.pgBasebackup on kubernetes whose password's variable is unset",
      {
        platform: { kubernetes: K8S },
        bootstrap: {
          pgBasebackup: { source: { host: 'db.example', password: { fromEnv: 'PGC_COMPONENT_NO_SUCH_PW' } } },
        },
      },
      /bootstrap\.pgBasebackup\.source\.password.*PGC_COMPONENT_NO_SUCH_PW/,
    ],
    [
      'bootstrap.recovery from a cluster name on kubernetes',
      {
        platform: { kubernetes: K8S },
        backup: { s3: { bucket: 'orders-wal' }, schedule: {} },
        bootstrap: { recovery: { source: { cluster: 'legacy' }, target: { immediate: true } } },
      },
      /bootstrap\.recovery\.source\.cluster: "legacy" is not allowed: is for platform\.local: on platform\.kubernetes name the source's repository with source\.s3 and source\.stanza/,
    ],
    [
      'bootstrap.recovery without backup on kubernetes',
      {
        platform: { kubernetes: K8S },
        bootstrap: {
          recovery: {
            source: { s3: { bucket: 'legacy-wal' }, stanza: 'legacy' },
            target: { immediate: true },
          },
        },
      },
      /bootstrap\.recovery: on platform\.kubernetes needs backup as well/,
    ],
    [
      'a platform.kubernetes.kubeconfig path with no file',
      { platform: { kubernetes: { ...K8S, kubeconfig: '/no/such/kubeconfig' } } },
      /platform\.kubernetes\.kubeconfig: no kubeconfig file at \/no\/such\/kubeconfig \(a kubeconfig's text, or its file's path\)/,
    ],
    [
      'a platform.kubernetes.context the kubeconfig lacks',
      { platform: { kubernetes: { ...K8S, kubeconfig: ONE_CONTEXT, context: 'site-b' } } },
      /platform\.kubernetes\.context: "site-b" is not a context of the given kubeconfig \(its contexts: site-a\)/,
    ],
    [
      'a platform.kubernetes.kubeconfig that is not a kubeconfig (its text not echoed)',
      { platform: { kubernetes: { ...K8S, kubeconfig: 'token: s3cret\n  - [' } } },
      /^(?!.*s3cret).*platform\.kubernetes\.kubeconfig is not allowed: it is not a kubeconfig's text nor the path of a kubeconfig file/,
    ],
  ];
  for (const [given, args, message] of cases) {
    test(`GIVEN ${given} WHEN constructed THEN a ResourceError names the field and nothing is registered`, async () => {
      const { resources } = setupMocks();
      assert.throws(
        () => new PostgresCluster('orders', args),
        (e: Error) => {
          assert.ok(ResourceError.isInstance(e), `a ResourceError, not ${e.constructor.name}`);
          assert.match(e.message, message);
          return true;
        },
      );
      await settle(resources, 50);
      assert.deepEqual(resources, []);
    });
  }
});

describe('PostgresCluster on Kubernetes: the kubeconfig its deployer resources use (mocks)', () => {
  test("GIVEN platform.kubernetes.kubeconfig as an Output (a cloud cluster's) WHEN constructed THEN accepted: the readiness gets it as a secret, no child's spec holds it", async () => {
    const { resources } = await build({
      instances: 2,
      platform: { kubernetes: { ...K8S, kubeconfig: pulumi.output(ONE_CONTEXT), context: 'site-a' } },
    });
    const ready = one(resources, 'pulumi-nodejs:dynamic/pgcluster:ClusterReady', 'orders-ready');
    assert.ok(isSecretValue(ready.raw.kubeconfig), 'a Pulumi secret');
    assert.equal(ready.inputs.kubeconfig, ONE_CONTEXT);
    for (const r of resources) assert.ok(!JSON.stringify(r.inputs.spec ?? {}).includes('kubeconfig'), r.name);
    assert.equal(((ready.inputs.spec as Obj).platform as Obj).kubernetes.context, 'site-a');
  });

  test('GIVEN no kubeconfig WHEN constructed THEN the deployer resources use the default one (no kubeconfig input)', async () => {
    const { resources } = await build({ instances: 2, platform: { kubernetes: K8S } });
    const ready = one(resources, 'pulumi-nodejs:dynamic/pgcluster:ClusterReady', 'orders-ready');
    assert.equal(ready.inputs.kubeconfig, undefined);
  });
});

describe('PostgresCluster on the local platform (mocks)', () => {
  test('GIVEN platform.local WHEN constructed THEN one LocalCluster dynamic resource carries the validated spec', async () => {
    const { resources } = await build({ instances: 3, platform: { local: { basePort: 25000 } } }, 'laptop');
    assert.deepEqual(resources.map((r) => `${r.type} ${r.name}`).sort(), [
      'pgcluster:index:PostgresCluster laptop',
      'pulumi-nodejs:dynamic/pgcluster:LocalCluster laptop-local',
    ]);
    const local = resources.find((r) => r.name === 'laptop-local')!;
    const spec = local.inputs.spec as Obj;
    assert.equal(spec.name, 'laptop');
    assert.equal(spec.instances, 3);
    assert.equal(spec.ha.ttl, 20, 'defaults are filled in');
    assert.equal(typeof local.inputs.__provider, 'string', 'the provider is serialized');
  });
});

async function pulumiIsSecret(output: unknown): Promise<boolean> {
  const { isSecret } = await import('@pulumi/pulumi');
  return isSecret(output as never);
}

describe('PostgresCluster roles, databases and grants (mocks)', () => {
  const sqlArgs = {
    roles: [
      { name: 'readers' },
      { name: 'Ann Lee', login: true, inRoles: ['readers'], password: { fromEnv: 'PGCLUSTER_TEST_ANN' } },
    ],
    databases: [{ name: 'shop', owner: 'Ann Lee', schemas: [{ name: 'sales' }] }],
    grants: [
      { role: 'readers', database: 'shop', on: 'tables' as const, schema: 'sales', privileges: ['SELECT'] },
    ],
  };

  test('GIVEN the local platform WHEN constructed THEN each entry is its own child and the cluster resource manages none', async () => {
    process.env.PGCLUSTER_TEST_ANN = 'ann-secret-pw';
    try {
      const { resources } = await build({ platform: { local: { basePort: 25000 } }, ...sqlArgs }, 'shop');
      assert.deepEqual(resources.map((r) => `${r.type} ${r.name}`).sort(), [
        'pgcluster:index:PostgresCluster shop',
        'pulumi-nodejs:dynamic/pgcluster:Database shop-database-shop',
        'pulumi-nodejs:dynamic/pgcluster:Grant shop-grant-readers.shop.tables.sales',
        'pulumi-nodejs:dynamic/pgcluster:LocalCluster shop-local',
        `pulumi-nodejs:dynamic/pgcluster:Role shop-role-Ann_Lee-${createHash('sha256').update('Ann Lee').digest('hex').slice(0, 8)}`,
        'pulumi-nodejs:dynamic/pgcluster:Role shop-role-readers',
      ]);
      const local = resources.find((r) => r.name === 'shop-local')!;
      const spec = local.inputs.spec as Obj;
      assert.deepEqual([spec.roles, spec.databases, spec.grants], [[], [], []]);
      const ann = resources.find((r) => r.type.endsWith(':Role') && (r.inputs as Obj).name === 'Ann Lee')!;
      assert.deepEqual(
        { ...ann.inputs, __provider: undefined, connection: undefined },
        {
          __provider: undefined,
          connection: undefined,
          name: 'Ann Lee',
          ensure: 'present',
          login: true,
          superuser: false,
          createdb: false,
          createrole: false,
          inherit: true,
          replication: false,
          bypassrls: false,
          connectionLimit: -1,
          inRoles: ['readers'],
          password: 'ann-secret-pw',
        },
      );
      assert.ok(isSecretValue(ann.raw.password), 'the password is a Pulumi secret');
      const grant = resources.find((r) => r.type.endsWith(':Grant'))!;
      assert.deepEqual(
        { ...grant.inputs, __provider: undefined, connection: undefined },
        {
          __provider: undefined,
          connection: undefined,
          role: 'readers',
          database: 'shop',
          on: 'tables',
          schema: 'sales',
          privileges: ['SELECT'],
          withGrantOption: false,
        },
      );
    } finally {
      delete process.env.PGCLUSTER_TEST_ANN;
    }
  });

  test('GIVEN a password reference that does not resolve WHEN constructed THEN the error names it', async () => {
    const { resources } = setupMocks();
    assert.throws(
      () => new PostgresCluster('nopw', { platform: { local: {} }, ...sqlArgs }),
      (e: Error) =>
        e instanceof ResourceError &&
        /roles\[1\]\.password\.fromEnv: environment variable PGCLUSTER_TEST_ANN is not set/.test(e.message),
    );
    await settle(resources, 50);
    assert.deepEqual(resources, [], 'nothing is registered');
  });

  test('GIVEN login roles with passwords WHEN constructed THEN the pooler admits them with the verifier their Role sets (secret), on both platforms', async () => {
    process.env.PGCLUSTER_TEST_ANN = 'ann-secret-pw';
    try {
      const annLine = `"Ann Lee" "${roleVerifier('Ann Lee', 'ann-secret-pw')}"`;
      const kube = await build({ instances: 2, platform: { kubernetes: K8S }, ...sqlArgs }, 'kube');
      const auth = one(kube.resources, 'kubernetes:core/v1:Secret', 'kube-pooler-auth');
      assert.ok(isSecretValue(auth.raw.stringData), 'the auth file is a secret');
      const userlist = ((auth.inputs as Obj).stringData as Obj)['userlist.txt'] as string;
      assert.ok(userlist.split('\n').includes(annLine), userlist);
      assert.doesNotMatch(userlist, /"readers"/, 'a role without login is not admitted');
      assert.ok(!userlist.includes('ann-secret-pw'));
      const local = await build({ platform: { local: { basePort: 25000 } }, ...sqlArgs }, 'shop');
      const cluster = local.resources.find((r) => r.name === 'shop-local')!;
      assert.ok(isSecretValue(cluster.raw.poolerUsers), 'poolerUsers is a secret');
      assert.deepEqual(cluster.inputs.poolerUsers, [
        { user: 'Ann Lee', secret: roleVerifier('Ann Lee', 'ann-secret-pw') },
      ]);
    } finally {
      delete process.env.PGCLUSTER_TEST_ANN;
    }
  });

  test('GIVEN kubernetes WHEN constructed THEN the SQL children reach the primary by port-forward as the superuser (secret)', async () => {
    const { resources } = await build(
      { instances: 2, platform: { kubernetes: K8S }, roles: [{ name: 'readers' }] },
      'kube',
    );
    const role = resources.find((r) => r.type === 'pulumi-nodejs:dynamic/pgcluster:Role')!;
    assert.ok(isSecretValue(role.raw.connection), 'the connection (superuser password) is a secret');
    const connection = role.inputs.connection as Obj;
    assert.deepEqual(
      { ...connection, password: typeof connection.password },
      {
        kubernetes: { namespace: 'db', pods: ['kube-1', 'kube-2'], port: 5432 },
        user: 'postgres',
        password: 'string',
        database: 'postgres',
        ca: 'caCert-of-kube-tls-certificates',
      },
    );
  });
});
