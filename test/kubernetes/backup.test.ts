/**
 * Backups on the real single-node Kubernetes: examples/kubernetes with `backup` set, archiving to a
 * real MinIO over TLS on the node's address (the pods reach it there, its certificate names it).
 * `pulumi up` returns once the stanza exists and `check` saw a segment arrive; a CronJob's Job (the
 * repository host, no API access) takes a full backup through the members' pgBackRest TLS servers;
 * `pgcluster backup` takes one from a standby; a second cluster is restored from that repository to a
 * time between two batches of writes (bootstrap.recovery) and has exactly the first; a new member is
 * restored from the repository, not cloned; a wrong key fails `up` naming pgBackRest's reason;
 * destroy keeps the archive.
 * MinIO on <node address>:27700-27701.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../helpers/cli';
import { TestMinio } from '../helpers/minio';
import { kubernetesCluster, PATHS, type Cluster } from './support/cluster';
import { kubernetesStack, type KubernetesStack } from './support/stack';
import { labelledPrimary, patroniCluster } from './support/reach';

const NS = 'pgc-backup';
const NAME = 'orders';
const BUCKET = 'pgc-k8s-archive';
const MINIO_PORT = 27700;
const RESTORED_NS = 'pgc-restore';

interface Listed {
  backups: Array<{ label: string; type: string }>;
  archive?: { min: string; max: string };
}

describe('backups on a real single-node Kubernetes (pgBackRest in the pods, MinIO over TLS)', () => {
  let cluster: Cluster;
  let minio: TestMinio;
  let stack: KubernetesStack;
  let target: string[];
  let created = false;
  let restored: KubernetesStack | undefined;

  /** SQL as postgres in a pod (peer authentication over the socket), one value per line. */
  const sql = async (ns: string, pod: string, text: string) =>
    (
      await cluster.kubectl([
        'exec',
        '-n',
        ns,
        pod,
        '-c',
        'postgres',
        '--',
        'psql',
        '-h',
        '/var/run/postgresql',
        '-U',
        'postgres',
        '-d',
        'postgres',
        '-v',
        'ON_ERROR_STOP=1',
        '-Atc',
        text,
      ])
    ).trim();
  const primaryOf = async (ns: string) => {
    const [primary] = await labelledPrimary(cluster, ns, NAME);
    assert.ok(primary, `a primary in ${ns}`);
    return primary;
  };

  const backupConfig = () =>
    JSON.stringify({
      s3: minio.s3Spec(BUCKET),
      schedule: { full: '0 3 * * 0', diff: '0 3 * * 1-6' },
      retention: { full: 2 },
      fromStandby: true,
    });
  const run = (args: string[]) => cli(stack.sandbox.stateDir, [...args, ...target]);
  const listed = async (): Promise<Listed> => {
    const r = await run(['backups', NAME, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Listed;
  };
  const archivedKeys = async () => (await minio.keys(BUCKET, '')).filter((k) => k.includes('/archive/'));

  before(async () => {
    cluster = await kubernetesCluster();
    minio = await TestMinio.start(MINIO_PORT, PATHS.NODE_IP as string);
    await minio.createBucket(BUCKET);
    stack = await kubernetesStack(cluster, 'backup', { namespace: NS, instances: '2' });
    Object.assign(stack.sandbox.env, minio.env());
    await stack.project.pulumiOk(['config', 'set', 'backup', backupConfig()]);
    target = ['--kubeconfig', cluster.kubeconfig, '--context', 'pgcluster', '--namespace', NS];
  });

  after(async () => {
    if (restored) {
      await restored.project.pulumi(['destroy', '--yes']);
      restored.remove();
    }
    if (created) await stack.project.pulumi(['destroy', '--yes']);
    stack?.remove();
    await minio?.destroy();
  });

  test('GIVEN backup set WHEN pulumi up THEN it returns with the stanza made and WAL arriving, one CronJob per scheduled type', async () => {
    created = true;
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    // Certificates, the Secret and its digests are stable: a second run changes nothing.
    await stack.project.pulumiOk(['preview', '--expect-no-changes']);
    const keys = await archivedKeys();
    assert.ok(
      keys.some((k) => /\/archive\/orders\/15-1\/[0-9A-F]{16}\/[0-9A-F]{24}-[0-9a-f]{40}/.test(k)),
      keys.join('\n'),
    );
    assert.ok(
      keys.some((k) => k.endsWith('/archive/orders/archive.info')),
      'archive.info written by stanza-create',
    );
    const jobs = await cluster.kubectl(['get', 'cronjobs', '-n', NS, '-o', 'name']);
    assert.deepEqual(jobs.trim().split('\n').sort(), [
      'cronjob.batch/orders-backup-diff',
      'cronjob.batch/orders-backup-full',
    ]);
    const list = await listed();
    assert.deepEqual(list.backups, []);
    assert.ok(list.archive, JSON.stringify(list));
    // The first batch of writes, in every backup that follows.
    await sql(
      NS,
      await primaryOf(NS),
      'create table marker (batch int); insert into marker select 1 from generate_series(1, 100)',
    );
  });

  test('GIVEN the full CronJob WHEN a Job is made from it THEN it completes and the repository lists a full backup', async () => {
    await cluster.kubectl([
      'create',
      'job',
      '-n',
      NS,
      '--from=cronjob/orders-backup-full',
      'orders-full-now',
    ]);
    await cluster.kubectl([
      'wait',
      '-n',
      NS,
      '--for=condition=complete',
      'job/orders-full-now',
      '--timeout=300s',
    ]);
    const list = await listed();
    assert.deepEqual(
      list.backups.map((b) => b.type),
      ['full'],
      JSON.stringify(list),
    );
    const log = await cluster.kubectl(['logs', '-n', NS, 'job/orders-full-now']);
    assert.match(log, /backup command end: completed successfully/, log);
    assert.doesNotMatch(log, new RegExp(minio.secretAccessKey), 'no key in the job log');
  });

  test('GIVEN backup.fromStandby WHEN pgcluster backup --type diff THEN a diff backup is taken from a standby', async () => {
    const r = await run(['backup', NAME, '--type', 'diff']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), /^\d{8}-\d{6}F_\d{8}-\d{6}D$/);
    // pgBackRest ran in the replica's pod (its log is on that pod's volume), the primary only
    // starting and stopping the backup through its TLS server.
    const [primary] = await labelledPrimary(cluster, NS, NAME);
    const replica = primary === 'orders-1' ? 'orders-2' : 'orders-1';
    const log = await cluster.kubectl([
      'exec',
      '-n',
      NS,
      replica,
      '-c',
      'postgres',
      '--',
      'cat',
      '/var/lib/postgresql/data/pgbackrest/log/orders-backup.log',
    ]);
    assert.match(log, /backup command begin [\d.]+: .*--backup-standby.*--type=diff/, log);
    const list = await listed();
    assert.deepEqual(
      list.backups.map((b) => b.type),
      ['full', 'diff'],
    );
  });

  test('GIVEN the repository and a second batch of writes WHEN a new cluster is restored to a time between them THEN it has exactly the first batch and archives to its own path', async () => {
    const primary = await primaryOf(NS);
    const between = await sql(
      NS,
      primary,
      `select to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await sql(NS, primary, 'insert into marker select 2 from generate_series(1, 50)');
    const segment = await sql(NS, primary, 'select pg_walfile_name(pg_switch_wal())');
    const deadline = Date.now() + 60_000;
    while (
      (await sql(NS, primary, 'select coalesce(last_archived_wal, $$$$) from pg_stat_archiver')) < segment
    ) {
      assert.ok(Date.now() < deadline, `segment ${segment} archived within 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    restored = await kubernetesStack(cluster, 'restored', { namespace: RESTORED_NS, instances: '2' });
    Object.assign(restored.sandbox.env, minio.env());
    await restored.project.pulumiOk([
      'config',
      'set',
      'backup',
      JSON.stringify({
        s3: minio.s3Spec(BUCKET, '/pgcluster/orders-restored'),
        schedule: {},
        retention: { full: 1 },
      }),
    ]);
    await restored.project.pulumiOk([
      'config',
      'set',
      'bootstrap',
      JSON.stringify({
        recovery: { source: { s3: minio.s3Spec(BUCKET), stanza: 'orders' }, target: { time: between } },
      }),
    ]);
    await restored.project.pulumiOk(['up', '--yes', '--skip-preview']);
    const counts = await sql(
      RESTORED_NS,
      await primaryOf(RESTORED_NS),
      'select batch, count(*) from marker group by batch order by batch',
    );
    assert.equal(counts, '1|100', `restored to ${between}`);
    const keys = await minio.keys(BUCKET, 'pgcluster/orders-restored/archive/');
    assert.ok(
      keys.some((k) => k.endsWith('archive.info')),
      keys.join('\n'),
    );
    // The source is untouched: both batches, its archive its own.
    assert.equal(await sql(NS, primary, 'select count(*) from marker'), '150');
  });

  test('GIVEN a backup WHEN instances goes from 2 to 3 THEN the new member is restored from the repository and streams', async () => {
    await stack.project.pulumiOk(['config', 'set', 'instances', '3']);
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    const members = (await patroniCluster(cluster, NS, ['orders-1', 'orders-2', 'orders-3'])).members;
    assert.equal(members.filter((m) => m.state === 'streaming').length, 2, JSON.stringify(members));
    const log = await cluster.kubectl(['logs', '-n', NS, 'orders-3', '-c', 'postgres']);
    assert.match(log, /replica has been created using pgbackrest/, log);
  });

  test('GIVEN a wrong secret key WHEN pulumi up THEN it fails naming what pgBackRest says, and the data stays', async () => {
    const good = stack.sandbox.env.PGC_TEST_S3_SECRET;
    stack.sandbox.env.PGC_TEST_S3_SECRET = 'not-the-key';
    try {
      const r = await stack.project.pulumi(['up', '--yes', '--skip-preview']);
      assert.notEqual(r.code, 0, r.output);
      assert.match(r.output, /SignatureDoesNotMatch|InvalidAccessKeyId|403/, r.output);
      assert.doesNotMatch(r.output, /not-the-key/, 'the key is not echoed');
    } finally {
      stack.sandbox.env.PGC_TEST_S3_SECRET = good;
    }
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    assert.equal((await listed()).backups.length, 2);
  });

  test('GIVEN the stack WHEN pulumi destroy THEN the namespace objects go and the archive and backups stay', async () => {
    const before = await minio.keys(BUCKET, '');
    await stack.project.pulumiOk(['destroy', '--yes']);
    created = false;
    const left = await cluster.kubectl(['get', 'cronjobs,statefulsets,secrets', '-n', NS, '-o', 'name']);
    assert.doesNotMatch(left, /orders/);
    const after = await minio.keys(BUCKET, '');
    for (const key of before.filter((k) => /\/backup\/orders\/.*backup\.manifest$/.test(k)))
      assert.ok(after.includes(key), `${key} kept`);
    assert.ok(after.length >= before.length);
  });
});
