/**
 * The `pgcluster` CLI on a cluster on the real single-node Kubernetes (examples/kubernetes through
 * the real engine), like `kubectl cnpg`: status, uri, psql, switchover and logs with
 * --kubeconfig/--context/--namespace, reaching the pods through port-forwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../helpers/cli';
import { kubernetesCluster, type Cluster } from './support/cluster';
import { kubernetesStack, type KubernetesStack } from './support/stack';
import { labelledPrimary } from './support/reach';

const NS = 'pgc-cli';
const NAME = 'orders';

describe('the pgcluster CLI on a real single-node Kubernetes', () => {
  let cluster: Cluster;
  let stack: KubernetesStack;
  let target: string[];

  before(async () => {
    cluster = await kubernetesCluster();
    stack = await kubernetesStack(cluster, 'cli', { namespace: NS });
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    target = ['--kubeconfig', cluster.kubeconfig, '--context', 'pgcluster', '--namespace', NS];
  });

  after(async () => {
    await stack?.discard([NS]);
  });

  const run = (args: string[]) => cli(stack.sandbox.stateDir, args);

  test('GIVEN the cluster WHEN pgcluster status --json THEN the primary, 3 members and the Services as endpoints', async () => {
    const r = await run(['status', NAME, ...target, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      primary: string;
      members: Array<{ name: string; role: string; state: string }>;
      endpoints: Record<string, string>;
    };
    assert.deepEqual(await labelledPrimary(cluster, NS, NAME), [s.primary]);
    assert.equal(s.members.length, 3);
    assert.equal(s.members.filter((m) => m.role === 'primary').length, 1);
    assert.equal(s.members.filter((m) => m.state === 'streaming').length, 2, r.stdout);
    assert.match(s.endpoints.rw as string, /^postgresql:\/\/app@orders-rw\.pgc-cli\.svc:5432\/app/);
    assert.match(s.endpoints.pooler as string, /orders-pooler\.pgc-cli\.svc:5432/);
    assert.doesNotMatch(r.stdout, /:[^@/]+@orders/, 'no password in status');
  });

  test('GIVEN the cluster WHEN pgcluster uri THEN one complete URI of the -rw Service with the password, verifying it with the CA', async () => {
    const r = await run(['uri', NAME, ...target]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout.trim(),
      /^postgresql:\/\/app:[^@]+@orders-rw\.pgc-cli\.svc:5432\/app\?target_session_attrs=read-write&sslmode=verify-full&sslrootcert=[^&\s]+$/,
    );
  });

  test('GIVEN the cluster WHEN pgcluster psql -- -c THEN psql runs on the primary through a port-forward, and --ro on a replica', async () => {
    const rw = await run([
      'psql',
      NAME,
      ...target,
      '--superuser',
      '--',
      '-Atc',
      'select pg_is_in_recovery()',
    ]);
    assert.equal(rw.code, 0, rw.stderr);
    assert.equal(rw.stdout.trim(), 'f');
    const ro = await run(['psql', NAME, ...target, '--ro', '--', '-Atc', 'select pg_is_in_recovery()']);
    assert.equal(ro.code, 0, ro.stderr);
    assert.equal(ro.stdout.trim(), 't');
  });

  test('GIVEN the cluster WHEN pgcluster switchover --to a replica THEN it is the primary and Patroni labels it', async () => {
    const [before] = await labelledPrimary(cluster, NS, NAME);
    const to = before === 'orders-2' ? 'orders-3' : 'orders-2';
    const r = await run(['switchover', NAME, ...target, '--to', to]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, new RegExp(`promoted ${to}`));
    assert.deepEqual(await labelledPrimary(cluster, NS, NAME), [to]);
  });

  test('GIVEN the cluster WHEN pgcluster logs --tail 3 THEN the last lines of each member, prefixed by its name', async () => {
    const r = await run(['logs', NAME, ...target, '--tail', '3']);
    assert.equal(r.code, 0, r.stderr);
    for (const m of ['orders-1', 'orders-2', 'orders-3'])
      assert.equal(r.stdout.split('\n').filter((l) => l.startsWith(`${m} `)).length, 3, r.stdout);
  });

  test('GIVEN a name that is no cluster WHEN pgcluster status THEN exit 2 naming it and the namespace', async () => {
    const r = await run(['status', 'nope', ...target]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no cluster named "nope" in namespace pgc-cli/);
  });
});
