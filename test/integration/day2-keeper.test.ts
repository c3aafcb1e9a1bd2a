/**
 * The local keeper (platform.local.keeper) on real etcd, Patroni and PostgreSQL: a member killed
 * whole comes back by itself (a replica, then the primary after its failover), etcd killed comes
 * back, the time back to N healthy members is reported; an `up` waits on a frozen etcd rather than
 * starting a second one; after `down` nothing is restarted.
 * Ports 29200-29260.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliOk, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { processAlive, processesUsing, sleep, statusOf, waitFor } from '../helpers/pg';

const NAME = 'keeper';
const BASE = 29200;
const HEAL_BOUND_MS = 30_000;

describe('local cluster: the keeper restarts what died', () => {
  const state = tempStateDir('day2-keeper');
  const file = () =>
    writeSpec(state.dir, {
      name: NAME,
      instances: 3,
      platform: { local: { basePort: BASE } },
      synchronous: { number: 1 },
    });

  before(async () => {
    await cliOk(state.dir, ['up', '-f', file()]);
  });

  after(async () => {
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
  });

  const supervisorOf = (member: string) =>
    Number(readFileSync(join(state.dir, NAME, 'members', member, 'supervisor.pid'), 'utf8'));

  /** Kills the member whole; resolves with the ms until 3 members stream/run again. */
  async function killAndWait(role: 'primary' | 'replica'): Promise<{ ms: number; victim: string }> {
    const before = await statusOf(state.dir, NAME);
    const victim = before.members.find((m) =>
      role === 'primary' ? m.role === 'primary' : m.role !== 'primary',
    )!;
    const supervisor = supervisorOf(victim.name);
    for (const pid of [supervisor, victim.patroniPid!, victim.pid!]) process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    await waitFor(
      `${victim.name} back and 3 members healthy`,
      async () => {
        const s = await statusOf(state.dir, NAME);
        const healthy = s.members.filter(
          (m) => m.state === 'streaming' || (m.role === 'primary' && m.state === 'running'),
        );
        const back = s.members.find((m) => m.name === victim.name);
        return healthy.length === 3 && back?.pid && back.pid !== victim.pid ? s : undefined;
      },
      HEAL_BOUND_MS,
    );
    return { ms: Date.now() - killedAt, victim: victim.name };
  }

  test('GIVEN a replica killed whole WHEN nobody runs up THEN the keeper brings it back streaming within the bound', async (t) => {
    const { ms, victim } = await killAndWait('replica');
    t.diagnostic(`replica ${victim}: 3 healthy members again ${ms} ms after the kill`);
    assert.match(
      readFileSync(join(state.dir, NAME, 'keeper.log'), 'utf8'),
      new RegExp(`restarted ${victim} \\(down \\d+ ms`),
    );
  });

  test('GIVEN the primary killed whole THEN a replica takes over and the keeper brings the old primary back as a replica', async (t) => {
    const { ms, victim } = await killAndWait('primary');
    const s = await statusOf(state.dir, NAME);
    t.diagnostic(
      `primary ${victim}: 3 healthy members again ${ms} ms after the kill; primary now ${s.primary}`,
    );
    assert.ok(s.primary, 'one primary');
    assert.match(
      readFileSync(join(state.dir, NAME, 'keeper.log'), 'utf8'),
      new RegExp(`restarted ${victim} \\(down`),
    );
  });

  test('GIVEN etcd killed THEN the keeper restarts it', async () => {
    const before = await statusOf(state.dir, NAME);
    const pid = before.services.etcd!.pid!;
    process.kill(pid, 'SIGKILL');
    await waitFor(
      'etcd back',
      async () => {
        const s = await statusOf(state.dir, NAME);
        return s.services.etcd?.running && s.services.etcd.pid !== pid ? true : undefined;
      },
      HEAL_BOUND_MS,
    );
    assert.match(readFileSync(join(state.dir, NAME, 'keeper.log'), 'utf8'), /restarted etcd/);
  });

  test('GIVEN etcd frozen (SIGSTOP) WHEN up runs THEN up waits for it and the same etcd runs on: no second one is started', async () => {
    const pid = (await statusOf(state.dir, NAME)).services.etcd!.pid!;
    process.kill(pid, 'SIGSTOP');
    const up = cli(state.dir, ['up', '-f', file()]);
    try {
      await sleep(3000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const out = await up;
    assert.equal(out.code, 0, out.stderr);
    const etcd = (await statusOf(state.dir, NAME)).services.etcd;
    assert.equal(etcd?.pid, pid, 'the pid file still names the etcd that was frozen');
    assert.ok(etcd?.running && processAlive(pid));
    assert.doesNotMatch(out.stderr, /started etcd/);
  });

  test('GIVEN down THEN the keeper is stopped and restarts nothing', async () => {
    const before = await statusOf(state.dir, NAME);
    const keeper = before.services.keeper?.pid;
    assert.ok(keeper && processAlive(keeper), 'a keeper ran');
    await cliOk(state.dir, ['down', NAME]);
    assert.equal(processAlive(keeper), false);
    await sleep(3000);
    assert.deepEqual(processesUsing(join(state.dir, NAME)), [], 'nothing was restarted');
    await cliOk(state.dir, ['up', '-f', file()]);
  });
});
