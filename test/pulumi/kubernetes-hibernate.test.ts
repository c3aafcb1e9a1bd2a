/**
 * hibernate on kubernetes under mocks: the StatefulSet and the pooler Deployment want no pod, the
 * volume claim templates are those of the running cluster (so the same claims are kept and reused),
 * and the backup CronJobs are suspended; hibernate: false gives them back their replicas. The claim
 * retention policy deletes a removed member's claims only with removedMemberData: delete, never while hibernated.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { settle, setupMocks, valueOf, type Registered } from '../helpers/pulumi-mocks';
import { PostgresCluster } from '../../provider/pulumi/component';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const args = (hibernate: boolean, removedMemberData?: 'keep' | 'delete') => ({
  instances: 3,
  hibernate,
  ...(removedMemberData ? { removedMemberData } : {}),
  platform: { kubernetes: { namespace: 'db', image: 'example.org/pg:15' } },
  pooler: { instances: 2 },
  backup: { s3: { bucket: 'orders-wal' }, schedule: { full: '0 3 * * 0' } },
});

async function build(hibernate: boolean, removedMemberData?: 'keep' | 'delete'): Promise<Registered[]> {
  const { resources } = setupMocks();
  const cluster = new PostgresCluster('orders', args(hibernate, removedMemberData));
  await valueOf(cluster.urn);
  await settle(resources);
  return resources;
}

const spec = (resources: Registered[], type: string, name: string): Obj => {
  const found = resources.filter((r) => r.type === type && r.name === name);
  assert.equal(found.length, 1, `${type} ${name}`);
  return (found[0]!.inputs as Obj).spec as Obj;
};

describe('hibernate on kubernetes (mocks)', () => {
  test('GIVEN hibernate true and false WHEN constructed THEN only the replicas and the CronJob suspension differ', async () => {
    const asleep = await build(true);
    const awake = await build(false);
    const sts = (r: Registered[]) => spec(r, 'kubernetes:apps/v1:StatefulSet', 'orders-members');
    const pooler = (r: Registered[]) => spec(r, 'kubernetes:apps/v1:Deployment', 'orders-pooler');
    const cron = (r: Registered[]) => spec(r, 'kubernetes:batch/v1:CronJob', 'orders-backup-full');
    assert.equal(sts(asleep).replicas, 0);
    assert.equal(sts(awake).replicas, 3);
    assert.equal(pooler(asleep).replicas, 0);
    assert.equal(pooler(awake).replicas, 2);
    assert.equal(cron(asleep).suspend, true);
    assert.equal(cron(awake).suspend, false);
    assert.deepEqual(sts(asleep).volumeClaimTemplates, sts(awake).volumeClaimTemplates);
    const { replicas: _a, ...restAsleep } = sts(asleep);
    const { replicas: _b, ...restAwake } = sts(awake);
    assert.deepEqual(restAsleep, restAwake, 'the pod template is the same');
    assert.deepEqual(
      asleep.map((r) => `${r.type} ${r.name}`).sort(),
      awake.map((r) => `${r.type} ${r.name}`).sort(),
      'every object stays',
    );
  });

  test('GIVEN removedMemberData delete WHEN awake THEN a scale-down deletes the claims; WHEN hibernated THEN every claim is retained', async () => {
    const policy = async (hibernate: boolean, removed?: 'keep' | 'delete') =>
      spec(await build(hibernate, removed), 'kubernetes:apps/v1:StatefulSet', 'orders-members')
        .persistentVolumeClaimRetentionPolicy;
    assert.deepEqual(await policy(false, 'delete'), { whenScaled: 'Delete', whenDeleted: 'Retain' });
    assert.deepEqual(await policy(true, 'delete'), { whenScaled: 'Retain', whenDeleted: 'Retain' });
    assert.deepEqual(await policy(false), { whenScaled: 'Retain', whenDeleted: 'Retain' });
  });
});
