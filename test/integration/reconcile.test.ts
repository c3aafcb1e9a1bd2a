/**
 * `up` applies spec changes to a running cluster: instances up and down without touching the
 * primary, parameters through Patroni's dynamic configuration (restart only when PostgreSQL needs
 * it), a desired primary; and a member's processes live and die together.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isServing } from '../../provider/patroni/roles';
import { cli, cliOk, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { perHost, processAlive, query, statusOf, uriOf, waitFor } from '../helpers/pg';

const NAME = 'recon';
const BASE = 21100;

describe('local cluster: reconciling spec changes', () => {
  const state = tempStateDir('recon');
  const base = { name: NAME, platform: { local: { basePort: BASE, keeper: false } } };
  const up = (spec: Record<string, unknown>) =>
    cliOk(state.dir, ['up', '-f', writeSpec(state.dir, { ...base, ...spec })]);

  before(async () => {
    await up({ instances: 2 });
  });

  after(async () => {
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
  });

  async function memberSettings(
    name: string,
  ): Promise<Array<{ member: string; value: string; started: string }>> {
    const superuser = (await uriOf(state.dir, NAME, '--superuser')).replace(/\?.*$/, '');
    const status = await statusOf(state.dir, NAME);
    const out = [];
    for (const m of status.members) {
      const uri = perHost(superuser).find((u) => u.includes(`:${m.port}/`)) as string;
      const [row] = await query<{ value: string; started: Date }>(
        uri,
        'select current_setting($1) as value, pg_postmaster_start_time() as started',
        [name],
      );
      out.push({ member: m.name, value: String(row?.value), started: String(row?.started.toISOString()) });
    }
    return out;
  }

  test('GIVEN 2 instances WHEN instances: 3 THEN a third member streams and the primary is untouched', async () => {
    const before = await statusOf(state.dir, NAME);
    const primary = before.members.find((m) => m.role === 'primary')!;
    const out = await up({ instances: 3 });
    assert.match(out.stderr, /started recon-3/);
    const after = await statusOf(state.dir, NAME);
    assert.equal(after.members.length, 3);
    assert.equal(after.primary, primary.name);
    assert.equal(after.members.find((m) => m.name === primary.name)?.pid, primary.pid);
    const rows = await query<{ n: string }>(
      perHost((await uriOf(state.dir, NAME, '--superuser')).replace(/\?.*$/, '')).find((u) =>
        u.includes(`:${primary.port}/`),
      )!,
      "select count(*) as n from pg_stat_replication where state = 'streaming'",
    );
    assert.equal(Number(rows[0]?.n), 2);
  });

  test('GIVEN 3 instances WHEN instances: 2 THEN a replica is removed, never the primary, and its files and processes are gone', async () => {
    const before = await statusOf(state.dir, NAME);
    const primary = before.members.find((m) => m.role === 'primary')!;
    const out = await up({ instances: 2 });
    const removed = /removed (recon-\d)/.exec(out.stderr)?.[1];
    assert.ok(removed, out.stderr);
    assert.notEqual(removed, primary.name);
    const gone = before.members.find((m) => m.name === removed)!;
    assert.ok(!processAlive(gone.pid!) && !processAlive(gone.patroniPid!));
    assert.ok(!existsSync(join(state.dir, NAME, 'members', removed)));
    const after = await statusOf(state.dir, NAME);
    assert.deepEqual(
      after.members.map((m) => m.name).sort(),
      before.members
        .filter((m) => m.name !== removed)
        .map((m) => m.name)
        .sort(),
    );
    assert.equal(after.members.find((m) => m.name === primary.name)?.pid, primary.pid);
  });

  test('GIVEN a reload-only parameter WHEN it changes THEN every member has it and nothing restarts', async () => {
    const before = await memberSettings('work_mem');
    const out = await up({ instances: 2, parameters: { work_mem: '16MB' } });
    assert.match(out.stderr, /updated the dynamic configuration \(parameters: work_mem\)/);
    assert.doesNotMatch(out.stderr, /restart/);
    const after = await memberSettings('work_mem');
    assert.ok(
      after.every((s) => s.value === '16MB'),
      JSON.stringify(after),
    );
    assert.deepEqual(
      after.map((s) => s.started),
      before.map((s) => s.started),
    );
  });

  test('GIVEN a parameter that needs a restart WHEN it changes THEN the replica restarts, a switchover follows, the old primary restarts last, and all have it', async () => {
    const before = await memberSettings('shared_buffers');
    const oldPrimary = (await statusOf(state.dir, NAME)).primary;
    const replica = oldPrimary === 'recon-1' ? 'recon-2' : 'recon-1';
    const out = await up({ instances: 2, parameters: { work_mem: '16MB', shared_buffers: '64MB' } });
    assert.match(out.stderr, /shared_buffers needs a restart/);
    const order = [...out.stderr.matchAll(/restarted (recon-\d)/g)].map((m) => m[1]);
    const status = await statusOf(state.dir, NAME);
    assert.deepEqual(order, [replica], out.stderr);
    assert.ok(
      out.stderr.indexOf(`restarted ${replica}`) < out.stderr.indexOf(`promoted ${replica}`),
      `the replica restarts, then the switchover:\n${out.stderr}`,
    );
    assert.equal(status.primary, replica, 'the old primary restarted last, as a replica, by the switchover');
    const after = await memberSettings('shared_buffers');
    assert.ok(
      after.every((s) => s.value === '64MB'),
      JSON.stringify(after),
    );
    after.forEach((s, i) => assert.notEqual(s.started, before[i]?.started));
    assert.ok(status.members.every((m) => !m.pendingRestart));
  });

  test('GIVEN a desired primary WHEN primary: <replica> THEN up switches over to it', async () => {
    const before = await statusOf(state.dir, NAME);
    const replica = before.members.find((m) => m.role === 'replica')!.name;
    const out = await up({
      instances: 2,
      parameters: { work_mem: '16MB', shared_buffers: '64MB' },
      primary: replica,
    });
    assert.match(out.stderr, new RegExp(`promoted ${replica}`));
    assert.equal((await statusOf(state.dir, NAME)).primary, replica);
  });

  test('GIVEN a member WHEN its Patroni is killed -9 THEN its postmaster stops too; up brings the member back', async () => {
    const before = await statusOf(state.dir, NAME);
    const victim = before.members.find((m) => m.role === 'replica')!;
    process.kill(victim.patroniPid!, 'SIGKILL');
    await waitFor('the orphaned postmaster to be stopped', async () => !processAlive(victim.pid!), 15_000);
    const log = readFileSync(join(state.dir, NAME, 'members', victim.name, 'patroni.log'), 'utf8');
    assert.match(log, /patroni exited with -9; stopping what it left behind/);
    const out = await up({
      instances: 2,
      parameters: { work_mem: '16MB', shared_buffers: '64MB' },
      primary: before.primary,
    });
    assert.match(out.stderr, new RegExp(`started ${victim.name}`));
    const after = await statusOf(state.dir, NAME);
    assert.ok(isServing(after.members.find((m) => m.name === victim.name)?.state ?? 'absent'));
  });

  test('GIVEN a member WHEN its supervisor is killed -9 THEN up stops the orphaned postmaster before restarting it', async () => {
    const before = await statusOf(state.dir, NAME);
    const victim = before.members.find((m) => m.role === 'replica')!;
    const supervisor = Number(
      readFileSync(join(state.dir, NAME, 'members', victim.name, 'supervisor.pid'), 'utf8'),
    );
    process.kill(supervisor, 'SIGKILL');
    await waitFor(
      'patroni to die with its supervisor',
      async () => !processAlive(victim.patroniPid!),
      10_000,
    );
    assert.ok(processAlive(victim.pid!), 'the postmaster outlived its supervisor (the case up must handle)');
    const out = await up({
      instances: 2,
      parameters: { work_mem: '16MB', shared_buffers: '64MB' },
      primary: before.primary,
    });
    assert.match(out.stderr, new RegExp(`stopped an unmanaged postmaster left by ${victim.name}`));
    assert.ok(!processAlive(victim.pid!));
    const after = await statusOf(state.dir, NAME);
    assert.ok(isServing(after.members.find((m) => m.name === victim.name)?.state ?? 'absent'));
  });
});
