/**
 * Storage growth on kubernetes under mocks: the component registers MemberStorage with the sizes, the
 * StatefulSet waits for it, carries the sizes in its claim templates, is replaced delete-first and
 * deleted orphaning its pods (so a recreated StatefulSet adopts them). MemberStorage's provider:
 * a change of size is a change (an update, never a replacement); check reads the API server only
 * when a size changed (the live claims and classes, on the real node: test/kubernetes/storage-growth).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { settle, setupMocks, valueOf, type Registered } from '../helpers/pulumi-mocks';
import { PostgresCluster } from '../../provider/pulumi/component';
import { memberStorageProvider } from '../../provider/pulumi/member-storage';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function build(storage: { size: string; walSize?: string }): Promise<Registered[]> {
  const { resources } = setupMocks();
  const cluster = new PostgresCluster('orders', {
    instances: 2,
    platform: { kubernetes: { namespace: 'db', image: 'example.org/pg:15', storageClass: 'fast' } },
    storage,
  });
  await valueOf(cluster.urn);
  await settle(resources);
  return resources;
}

const one = (resources: Registered[], type: string, name: string): Registered => {
  const found = resources.filter((r) => r.type === type && r.name === name);
  assert.equal(found.length, 1, `${type} ${name}`);
  return found[0]!;
};
const STS = 'kubernetes:apps/v1:StatefulSet';
const STORAGE = 'pulumi-nodejs:dynamic/pgcluster:MemberStorage';

describe('storage growth on kubernetes (mocks)', () => {
  test('GIVEN sizes WHEN constructed THEN MemberStorage has them and the StatefulSet waits for it, with the same sizes in its claim templates', async () => {
    const resources = await build({ size: '2Gi', walSize: '512Mi' });
    const storage = one(resources, STORAGE, 'orders-storage');
    assert.deepEqual(Object.fromEntries(Object.entries(storage.inputs).filter(([k]) => k !== '__provider')), {
      namespace: 'db',
      cluster: 'orders',
      statefulSet: 'orders',
      size: '2Gi',
      walSize: '512Mi',
    });
    const sts = one(resources, STS, 'orders-members');
    const templates = ((sts.inputs as Obj).spec.volumeClaimTemplates as Obj[]).map((t) => [
      t.metadata.name,
      t.spec.resources.requests.storage,
      t.spec.storageClassName,
    ]);
    assert.deepEqual(templates, [
      ['data', '2Gi', 'fast'],
      ['wal', '512Mi', 'fast'],
    ]);
    assert.ok(
      sts.options.dependencies.some((urn) => urn.endsWith('MemberStorage::orders-storage')),
      `the StatefulSet depends on MemberStorage: ${sts.options.dependencies.join(', ')}`,
    );
  });

  test('GIVEN the StatefulSet WHEN its claim templates change THEN it is replaced delete-first, orphaning its pods', async () => {
    const sts = one(await build({ size: '1Gi' }), STS, 'orders-members');
    assert.equal(sts.options.deleteBeforeReplace, true);
    assert.equal((sts.inputs as Obj).metadata.annotations['pulumi.com/deletionPropagationPolicy'], 'orphan');
  });

  test('GIVEN 1Gi then 2Gi WHEN constructed THEN only the sizes differ: nothing else of the pod template changes', async () => {
    const small = one(await build({ size: '1Gi' }), STS, 'orders-members').inputs as Obj;
    const large = one(await build({ size: '2Gi' }), STS, 'orders-members').inputs as Obj;
    assert.deepEqual(large.spec.template, small.spec.template, 'the same pod template (the same revision)');
    assert.deepEqual(
      { ...large.spec, volumeClaimTemplates: undefined },
      { ...small.spec, volumeClaimTemplates: undefined },
    );
  });

  test('GIVEN the provider WHEN a size changes THEN a change, not a replacement; WHEN unchanged or new THEN none, and check asks no API server', async () => {
    const base = { namespace: 'db', cluster: 'orders', statefulSet: 'orders', size: '1Gi' };
    assert.deepEqual(await memberStorageProvider.diff!('db/orders', base, { ...base, size: '2Gi' }), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    assert.deepEqual(await memberStorageProvider.diff!('db/orders', base, { ...base, walSize: '1Gi' }), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    assert.deepEqual(await memberStorageProvider.diff!('db/orders', base, { ...base }), { changes: false });
    // A kubeconfig naming no reachable server: check would fail if it asked one.
    const unreachable = {
      ...base,
      kubeconfig: 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n',
    };
    assert.deepEqual(await memberStorageProvider.check!(unreachable, unreachable), { inputs: unreachable });
    assert.deepEqual(await memberStorageProvider.check!({}, unreachable), { inputs: unreachable }, 'create');
    await assert.rejects(memberStorageProvider.check!(unreachable, { ...unreachable, size: '2Gi' }));
  });
});
