/**
 * PostgresCluster with backup on kubernetes under mocks: the pgBackRest Secret (every file, a
 * secret), the members' TLS server container and PGBACKREST_CONFIG, a CronJob per scheduled type
 * whose pods have no API access, the IRSA role on both service accounts, the created bucket's name
 * in the files; every object valid against the Kubernetes OpenAPI schemas.
 */
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSecretValue, settle, setupMocks, valueOf, type Registered } from '../helpers/pulumi-mocks';
import { validateKubernetesObject } from '../helpers/k8s-openapi';
import { PostgresCluster } from '../../provider/pulumi/component';
import { parse as parseIni } from 'ini';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const K8S = { namespace: 'db', image: 'example.org/pg:15' };

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

function asObject(r: Registered, apiVersion: string, kind: string): Obj {
  return { apiVersion, kind, ...r.inputs };
}

describe('PostgresCluster with backup on kubernetes (mocks)', () => {
  process.env.PGC_K8S_BACKUP_KEY = 'AKIAEXAMPLE';
  process.env.PGC_K8S_BACKUP_SECRET = 'secret-key-example';
  process.env.PGC_K8S_BACKUP_PASS = 'cipher-pass-example';
  const dir = mkdtempSync(join(tmpdir(), 'pgc-k8s-backup-mocks-'));
  const caFile = join(dir, 's3-ca.pem');
  writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const args = {
    instances: 3,
    platform: { kubernetes: K8S },
    backup: {
      s3: {
        bucket: 'orders-wal',
        endpoint: 'minio.storage.svc:9000',
        uriStyle: 'path',
        caFile,
        credentials: {
          accessKeyId: { fromEnv: 'PGC_K8S_BACKUP_KEY' },
          secretAccessKey: { fromEnv: 'PGC_K8S_BACKUP_SECRET' },
        },
      },
      encryption: { passphrase: { fromEnv: 'PGC_K8S_BACKUP_PASS' } },
      schedule: { full: '0 1 * * 0', incr: '0 */6 * * *' },
    },
  };

  test('GIVEN backup with keys, a CA and encryption WHEN constructed THEN one Secret holds every pgBackRest file, as a secret', async () => {
    const resources = await build(args);
    const secret = one(resources, 'kubernetes:core/v1:Secret', 'orders-pgbackrest');
    assert.ok(isSecretValue(secret.raw.stringData), 'stringData is a Pulumi secret');
    validateKubernetesObject(asObject(secret, 'v1', 'Secret'));
    const files = (secret.inputs as Obj).stringData as Record<string, string>;
    assert.deepEqual(Object.keys(files).sort(), [
      'ca.crt',
      'client.crt',
      'client.key',
      'orders-1.conf',
      'orders-2.conf',
      'orders-3.conf',
      'repo-host.conf',
      's3-ca.crt',
      'server.crt',
      'server.key',
    ]);
    assert.match(files['s3-ca.crt'] as string, /BEGIN CERTIFICATE/);
    const member = parseIni(files['orders-2.conf'] as string) as Obj;
    assert.equal(member.global['repo1-s3-key'], 'AKIAEXAMPLE');
    assert.equal(member.global['repo1-s3-key-secret'], 'secret-key-example');
    assert.equal(member.global['repo1-cipher-pass'], 'cipher-pass-example');
    assert.equal(member.global['repo1-storage-ca-file'], '/etc/pgbackrest/s3-ca.crt');
    assert.equal(member.global['repo1-s3-bucket'], 'orders-wal');
    assert.equal(member.global['repo1-path'], '/pgcluster/orders');
    assert.equal(member.global['tls-server-address'], '0.0.0.0');
    assert.equal(member.global['tls-server-auth'], 'pgcluster-orders-backup=orders');
    assert.equal(member.global['backup-standby'], 'y');
    // pg1 is the pod itself; the others through their TLS servers, by their headless-Service names.
    const stanza = member.orders as Obj;
    assert.equal(stanza['pg1-path'], '/var/lib/postgresql/data/pgdata');
    assert.equal(stanza['pg1-host'], undefined);
    assert.deepEqual(
      [stanza['pg2-host'], stanza['pg3-host']],
      ['orders-1.orders-members.db.svc', 'orders-3.orders-members.db.svc'],
    );
    assert.equal(stanza['pg2-host-type'], 'tls');
    assert.equal(stanza['pg2-host-cert-file'], '/etc/pgbackrest/client.crt');
    assert.equal(stanza['pg2-host-config'], '/etc/pgbackrest/orders-1.conf');
    // The repository host lists every member remote and runs no server.
    const repoHost = parseIni(files['repo-host.conf'] as string) as Obj;
    assert.deepEqual(
      [1, 2, 3].map((n) => (repoHost.orders as Obj)[`pg${n}-host`]),
      ['orders-1.orders-members.db.svc', 'orders-2.orders-members.db.svc', 'orders-3.orders-members.db.svc'],
    );
    assert.equal(repoHost.global['tls-server-address'], undefined);
    // The readiness check knows each member's file by digest: it waits until the pod sees it.
    const ready = one(resources, 'pulumi-nodejs:dynamic/pgcluster:ClusterReady', 'orders-ready');
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    assert.deepEqual((ready.inputs as Obj).backupConfigDigests, {
      'orders-1': sha(files['orders-1.conf'] as string),
      'orders-2': sha(files['orders-2.conf'] as string),
      'orders-3': sha(files['orders-3.conf'] as string),
    });
    // No secret anywhere else: not in the StatefulSet, the CronJobs or the Patroni ConfigMap (the
    // cluster's TLS Secret holds its own keys, and none of pgBackRest's).
    for (const r of resources.filter((x) => x.name !== 'orders-pgbackrest')) {
      const text = JSON.stringify(r.inputs);
      const own = r.name === 'orders-tls' ? [] : ['serverKey-of', 'clientKey-of'];
      for (const s of ['secret-key-example', 'cipher-pass-example', ...own])
        assert.ok(!text.includes(s), `${r.type} ${r.name} holds ${s}`);
    }
  });

  test('GIVEN backup WHEN constructed THEN the members archive with their own file and run a pgBackRest TLS server beside PostgreSQL', async () => {
    const resources = await build(args);
    const sts = one(resources, 'kubernetes:apps/v1:StatefulSet', 'orders-members');
    validateKubernetesObject(asObject(sts, 'apps/v1', 'StatefulSet'));
    const pod = (sts.inputs as Obj).spec.template.spec;
    const [postgres, server] = pod.containers;
    assert.deepEqual(
      pod.containers.map((c: Obj) => c.name),
      ['postgres', 'pgbackrest', 'peer-watch'],
    );
    const env = Object.fromEntries(postgres.env.map((e: Obj) => [e.name, e.value ?? e.valueFrom]));
    assert.equal(env.PGBACKREST_CONFIG, '/etc/pgbackrest/$(PATRONI_NAME).conf');
    assert.ok(
      postgres.env.findIndex((e: Obj) => e.name === 'PATRONI_NAME') <
        postgres.env.findIndex((e: Obj) => e.name === 'PGBACKREST_CONFIG'),
      'PATRONI_NAME is defined before it is referenced',
    );
    assert.deepEqual(
      postgres.volumeMounts.find((m: Obj) => m.name === 'pgbackrest'),
      {
        name: 'pgbackrest',
        mountPath: '/etc/pgbackrest',
        readOnly: true,
      },
    );
    assert.deepEqual(
      pod.volumes.find((v: Obj) => v.name === 'pgbackrest'),
      {
        name: 'pgbackrest',
        secret: { secretName: 'orders-pgbackrest', defaultMode: 0o440 },
      },
    );
    // pgBackRest does not make its log directory: both containers do, on the data volume.
    const dirs = 'mkdir -p /var/lib/postgresql/data/pgbackrest/log /var/lib/postgresql/data/pgbackrest/spool';
    assert.deepEqual(postgres.command, [
      '/bin/sh',
      '-c',
      `${dirs} && exec python3 /etc/patroni/k8s-member.py orders -- patroni /etc/patroni/patroni.yml`,
    ]);
    assert.equal(server.command[0], '/bin/sh');
    assert.equal(server.command[2].split('\n')[0], dirs);
    assert.match(server.command[2], /\npgbackrest server & pid=\$!/);
    assert.match(server.command[2], /kill -HUP \$pid/);
    assert.deepEqual(server.ports, [{ name: 'pgbackrest', containerPort: 8432, protocol: 'TCP' }]);
    assert.equal(server.readinessProbe, undefined, 'the server never takes the database out of its Services');
    assert.deepEqual(
      server.volumeMounts.map((m: Obj) => m.mountPath),
      ['/var/lib/postgresql/data', '/etc/pgbackrest', '/var/run/postgresql', '/tmp'],
    );
    assert.equal(server.securityContext.readOnlyRootFilesystem, true);
    // The CLI reads the backup spec back from the StatefulSet: references, never values.
    const annotation = JSON.parse((sts.inputs as Obj).metadata.annotations['pgcluster.io/backup']);
    assert.deepEqual(annotation.s3.credentials.accessKeyId, { fromEnv: 'PGC_K8S_BACKUP_KEY' });
    const config = one(resources, 'kubernetes:core/v1:ConfigMap', 'orders-patroni-config');
    const yaml = (config.inputs as Obj).data['patroni.yml'] as string;
    assert.match(yaml, /archive_command: pgbackrest --stanza=orders archive-push "%p"/);
    assert.match(yaml, /- local all postgres peer\n/);
    assert.match(yaml, /create_replica_methods:\n\s+- pgbackrest\n\s+- basebackup/);
  });

  test('GIVEN two scheduled types WHEN constructed THEN a CronJob each, as the repository host, with no API access', async () => {
    const resources = await build(args);
    const sa = one(resources, 'kubernetes:core/v1:ServiceAccount', 'orders-backup-serviceaccount');
    assert.equal((sa.inputs as Obj).automountServiceAccountToken, false);
    assert.equal((sa.inputs as Obj).metadata.name, 'orders-backup');
    // No Role or RoleBinding names the backup account.
    for (const r of resources.filter((x) => x.type.includes('rbac.authorization.k8s.io')))
      assert.ok(!JSON.stringify(r.inputs).includes('orders-backup'), `${r.name} grants the backup account`);
    const jobs = resources.filter((r) => r.type === 'kubernetes:batch/v1:CronJob');
    assert.deepEqual(jobs.map((j) => j.name).sort(), ['orders-backup-full', 'orders-backup-incr']);
    for (const job of jobs) validateKubernetesObject(asObject(job, 'batch/v1', 'CronJob'));
    const incr = one(resources, 'kubernetes:batch/v1:CronJob', 'orders-backup-incr').inputs as Obj;
    assert.equal(incr.spec.schedule, '0 */6 * * *');
    assert.equal(incr.spec.concurrencyPolicy, 'Forbid');
    const pod = incr.spec.jobTemplate.spec.template.spec;
    assert.equal(pod.serviceAccountName, 'orders-backup');
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.restartPolicy, 'Never');
    assert.deepEqual(pod.containers[0].command, [
      'pgbackrest',
      '--config=/etc/pgbackrest/repo-host.conf',
      '--stanza=orders',
      '--type=incr',
      '--log-level-console=info',
      'backup',
    ]);
    assert.equal(pod.securityContext.runAsNonRoot, true);
  });

  test('GIVEN no bucket and IRSA WHEN constructed THEN the created bucket is in the files, web-id is the key type, and both service accounts carry the role', async () => {
    const resources = await build({
      instances: 2,
      platform: { kubernetes: K8S },
      backup: {
        s3: {
          region: 'eu-west-1',
          irsa: {
            oidcProviderArn:
              'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC',
            oidcProviderUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC',
          },
        },
        schedule: {},
      },
    });
    const bucket = one(resources, 'aws:s3/bucket:Bucket', 'orders-archive').inputs as Obj;
    const files = (one(resources, 'kubernetes:core/v1:Secret', 'orders-pgbackrest').inputs as Obj)
      .stringData as Record<string, string>;
    const member = parseIni(files['orders-1.conf'] as string) as Obj;
    assert.equal(member.global['repo1-s3-bucket'], bucket.bucket ?? `${bucket.bucketPrefix}0123456789`);
    assert.equal(member.global['repo1-s3-key-type'], 'web-id');
    assert.equal(member.global['repo1-s3-key'], undefined);
    const role = 'arn:aws:iam::123456789012:role/orders-archive-role';
    for (const name of ['orders-serviceaccount', 'orders-backup-serviceaccount'])
      assert.equal(
        (one(resources, 'kubernetes:core/v1:ServiceAccount', name).inputs as Obj).metadata.annotations[
          'eks.amazonaws.com/role-arn'
        ],
        role,
      );
    const trust = JSON.parse(
      one(resources, 'aws:iam/role:Role', 'orders-archive-role').inputs.assumeRolePolicy as string,
    );
    assert.deepEqual(
      trust.Statement[0].Condition.StringEquals['oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub'],
      ['system:serviceaccount:db:orders', 'system:serviceaccount:db:orders-backup'],
    );
    assert.deepEqual(
      resources.filter((r) => r.type === 'kubernetes:batch/v1:CronJob'),
      [],
      'schedule {} makes no CronJob',
    );
    const sts = one(resources, 'kubernetes:apps/v1:StatefulSet', 'orders-members').inputs as Obj;
    assert.equal(
      JSON.parse(sts.metadata.annotations['pgcluster.io/backup']).s3.bucket,
      member.global['repo1-s3-bucket'],
    );
  });

  test('GIVEN bootstrap.recovery from an s3 repository WHEN constructed THEN the Secret carries a read-only restore configuration and Patroni restores with it', async () => {
    process.env.PGC_K8S_SOURCE_KEY = 'AKIASOURCE';
    process.env.PGC_K8S_SOURCE_SECRET = 'source-secret-example';
    const resources = await build({
      ...args,
      bootstrap: {
        recovery: {
          source: {
            s3: {
              bucket: 'legacy-wal',
              endpoint: 'minio.storage.svc:9000',
              uriStyle: 'path',
              caFile,
              credentials: {
                accessKeyId: { fromEnv: 'PGC_K8S_SOURCE_KEY' },
                secretAccessKey: { fromEnv: 'PGC_K8S_SOURCE_SECRET' },
              },
            },
            stanza: 'legacy',
          },
          target: { time: '2026-11-30T10:00:00Z' },
        },
      },
    });
    const secret = one(resources, 'kubernetes:core/v1:Secret', 'orders-pgbackrest');
    const files = (secret.inputs as Obj).stringData as Record<string, string>;
    assert.match(files['source-s3-ca.crt'] as string, /BEGIN CERTIFICATE/);
    const restore = parseIni(files['restore-source.conf'] as string) as Obj;
    assert.equal(restore.global['repo1-s3-bucket'], 'legacy-wal');
    assert.equal(restore.global['repo1-path'], '/pgcluster/legacy');
    assert.equal(restore.global['repo1-s3-key'], 'AKIASOURCE');
    assert.equal(restore.global['repo1-s3-key-secret'], 'source-secret-example');
    assert.equal(restore.global['repo1-storage-ca-file'], '/etc/pgbackrest/source-s3-ca.crt');
    assert.equal(restore.global['tls-server-address'], undefined, 'it serves nothing');
    assert.equal((restore.legacy as Obj)['pg1-path'], '/var/lib/postgresql/data/pgdata');
    // The cluster's own repository stays its own.
    assert.equal((parseIni(files['orders-1.conf'] as string) as Obj).global['repo1-s3-bucket'], 'orders-wal');
    const yaml = (one(resources, 'kubernetes:core/v1:ConfigMap', 'orders-patroni-config').inputs as Obj).data[
      'patroni.yml'
    ] as string;
    assert.match(yaml, /method: pgcluster_restore/);
    assert.match(
      yaml,
      /command: pgbackrest --config=\/etc\/pgbackrest\/restore-source\.conf --stanza=legacy --delta restore --type=time/,
    );
    assert.match(
      yaml,
      /restore_command: pgbackrest --config=\/etc\/pgbackrest\/restore-source\.conf --stanza=legacy archive-get/,
    );
    assert.match(yaml, /recovery_target_action: promote/);
    for (const r of resources.filter((x) => x.name !== 'orders-pgbackrest'))
      assert.ok(
        !JSON.stringify(r.inputs).includes('source-secret-example'),
        `${r.type} ${r.name} holds the key`,
      );
  });
});
