/**
 * The local-cluster dynamic resource, serialized the way the engine does it and driven through the
 * real @pulumi/pulumi dynamic-provider host over gRPC, against real etcd/Patroni/PostgreSQL:
 * check -> create (healthy 3-member cluster) -> check/diff/update (instances 3 -> 2, parameters)
 * -> a fixed field refused -> read -> delete (no process or file left).
 * Uses the built dist/ (the host runs plain node): run `npm run build` first.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startDynamicHost, type DynamicHost } from '../helpers/dynamic-host';
import { isServing } from '../../provider/patroni/roles';
import { cliOk, tempStateDir } from '../helpers/cli';
import { primaryUri, processesUsing, query } from '../helpers/pg';
import type { PropertyMap } from '../helpers/property-values';
import { roleVerifier } from '../../provider/secrets/scram';

const { localProvider } = require('../../dist/pulumi/local') as typeof import('../../provider/pulumi/local');

const BASE = 21500;
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('LocalCluster dynamic resource through the dynamic-provider host', () => {
  const state = tempStateDir('dynamic');
  let host: DynamicHost;
  let id = '';
  let outs: PropertyMap = {};
  const spec = (extra: Obj = {}) => ({
    name: 'dyn',
    instances: 3,
    platform: { local: { basePort: BASE } },
    ...extra,
  });

  before(async () => {
    host = await startDynamicHost(localProvider, {
      module: 'pgcluster',
      type: 'LocalCluster',
      name: 'dyn-local',
    });
  });

  after(async () => {
    if (id) await host.delete(id, outs).catch(() => undefined);
    await host.stop();
    state.cleanup();
  });

  test('GIVEN a spec WHEN check THEN defaults are filled in; an invalid spec fails naming the field', async () => {
    const checked = await host.check({}, { stateDir: state.dir, spec: spec() });
    assert.deepEqual(checked.failures, []);
    assert.equal((checked.inputs.spec as Obj).ha.ttl, 20);
    const bad = await host.check({}, { stateDir: state.dir, spec: spec({ instances: 0 }) });
    assert.deepEqual(bad.failures, [
      { property: 'spec.instances', reason: 'instances: 0 is not allowed: must be >= 1' },
    ]);
  });

  test('GIVEN checked inputs WHEN create THEN a healthy 3-member cluster runs', async () => {
    const { inputs } = await host.check({}, { stateDir: state.dir, spec: spec() });
    const created = await host.create(inputs);
    id = created.id;
    outs = created.outs;
    assert.equal(id, `${state.dir}/dyn`);
    const members = outs.members as Obj[];
    assert.equal(members.length, 3);
    assert.ok(members.every((m) => isServing(m.state as string)));
    assert.equal(members.filter((m) => m.role === 'primary').length, 1);
    assert.equal(outs.primary, members.find((m) => m.role === 'primary')!.name);
    assert.equal((outs.endpoints as Obj).pooler, `127.0.0.1:${BASE}`);
    const superuser = (await cliOk(state.dir, ['uri', 'dyn', '--superuser'])).stdout.trim();
    const rows = await query<{ n: string }>(
      await primaryUri(superuser),
      "select count(*) as n from pg_stat_replication where state = 'streaming'",
    );
    assert.equal(Number(rows[0]?.n), 2, 'two replicas stream');
  });

  test('GIVEN instances 3 -> 2 and new parameters WHEN check/diff/update THEN the diff says what changes and restarts, and it is applied', async () => {
    const { inputs, failures } = await host.check(outs, {
      stateDir: state.dir,
      spec: spec({ instances: 2, parameters: { work_mem: '32MB', shared_buffers: '64MB' } }),
    });
    assert.deepEqual(failures, []);
    assert.deepEqual(inputs.restartRequired, ['shared_buffers']);
    const diff = await host.diff(id, outs, inputs);
    assert.equal(diff.changes, true);
    assert.deepEqual(diff.replaces, []);
    const updated = await host.update(id, outs, inputs);
    outs = updated.outs;
    assert.equal((outs.members as Obj[]).length, 2);
    const [row] = await query<{ sb: string; wm: string }>(
      await primaryUri(String(outs.connectionUri)),
      "select current_setting('shared_buffers') as sb, current_setting('work_mem') as wm",
    );
    assert.deepEqual(row, { sb: '64MB', wm: '32MB' });
    const same = await host.check(outs, { stateDir: state.dir, spec: inputs.spec as Obj });
    assert.equal((await host.diff(id, outs, same.inputs)).changes, false, 'no diff once applied');
  });

  test('GIVEN poolerUsers (as PostgresCluster passes its login roles) WHEN diff/update THEN it changes, and the pooler admits them', async () => {
    const pooled = { user: 'pooled', secret: roleVerifier('pooled', 'pw-pooled') };
    const { inputs } = await host.check(outs, { ...(outs as Obj), poolerUsers: [pooled] });
    assert.equal((await host.diff(id, outs, inputs)).changes, true);
    outs = (await host.update(id, outs, inputs)).outs;
    await query(
      await primaryUri((await cliOk(state.dir, ['uri', 'dyn', '--superuser'])).stdout.trim()),
      `create role pooled login password '${pooled.secret}'`,
    );
    const [row] = await query<{ who: string }>(
      `postgresql://pooled:pw-pooled@127.0.0.1:${BASE}/postgres`,
      'select current_user as who',
    );
    assert.deepEqual(row, { who: 'pooled' });
    const same = await host.check(outs, { ...(outs as Obj), poolerUsers: [pooled] });
    assert.equal((await host.diff(id, outs, same.inputs)).changes, false, 'no diff once applied');
  });

  test('GIVEN a change to a field fixed at creation WHEN check THEN it fails instead of replacing the cluster', async () => {
    const { failures } = await host.check(outs, {
      stateDir: state.dir,
      spec: spec({ instances: 2, platform: { local: { basePort: BASE + 100 } } }),
    });
    assert.equal(failures.length, 1);
    assert.equal(failures[0]?.property, 'spec.platform.local.basePort');
    assert.match(failures[0]?.reason ?? '', /cannot change for an existing cluster \(21500 -> 21600\)/);
  });

  test('GIVEN the cluster WHEN read THEN the observed state comes back', async () => {
    const read = await host.read(id, outs);
    assert.equal(read.id, id);
    assert.equal(read.props.primary, outs.primary);
  });

  test('GIVEN the cluster WHEN delete THEN no process or file of it is left', async () => {
    await host.delete(id, outs);
    const deleted = id;
    id = '';
    assert.ok(!existsSync(deleted));
    const using = processesUsing(join(state.dir, 'dyn'));
    assert.deepEqual(using, []);
  });
});
