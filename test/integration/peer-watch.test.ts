/**
 * platform.local.peerWatch with real etcd, Patroni and PostgreSQL: the whole leader member is
 * killed (supervisor, Patroni, postmaster: nothing of it is left to release its lock). With a 20 s
 * TTL, Patroni alone would wait at least ~18 s; the other member's supervisor sees both ports of
 * the leader refuse connections and releases the lock, so a replica is promoted within seconds.
 * Turned off by `up`, it takes effect for the running members at once. Ports 21700-21760.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliOk, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { processAlive, statusOf, waitFor } from '../helpers/pg';

const NAME = 'peers';
const BASE = 21700;
const HA = { ttl: 20, loopWait: 2, retryTimeout: 5 };

function supervisorPid(stateDir: string, member: string): number {
  return Number(readFileSync(join(stateDir, NAME, 'members', member, 'supervisor.pid'), 'utf8').trim());
}

describe('local platform: peer watch of the leader', () => {
  const state = tempStateDir('peer-watch');
  const spec = (peerWatch?: boolean) =>
    writeSpec(state.dir, {
      name: NAME,
      instances: 2,
      ha: HA,
      platform: {
        local: { basePort: BASE, keeper: false, ...(peerWatch === undefined ? {} : { peerWatch }) },
      },
    });

  before(async () => {
    await cliOk(state.dir, ['up', '-f', spec()]);
  });

  after(async () => {
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
  });

  test('GIVEN the whole leader member killed WHEN its ports refuse connections THEN the replica is promoted long before the TTL', async () => {
    assert.ok(existsSync(join(state.dir, NAME, 'peer-watch')), 'on by default');
    const before = await statusOf(state.dir, NAME);
    const leader = before.members.find((m) => m.role === 'primary')!;
    const other = before.members.find((m) => m.name !== leader.name)!;
    for (const pid of [supervisorPid(state.dir, leader.name), leader.patroniPid!, leader.pid!])
      process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    await waitFor(
      'the replica to be promoted',
      async () => (await statusOf(state.dir, NAME)).primary === other.name || undefined,
      15_000,
    );
    const took = Date.now() - killedAt;
    assert.ok(took < HA.ttl * 1000 - 8000, `promoted ${took} ms after the kill: the TTL was waited for`);
    assert.ok(!processAlive(leader.pid!) && !processAlive(leader.patroniPid!));
    const log = readFileSync(join(state.dir, NAME, 'members', other.name, 'patroni.log'), 'utf8');
    assert.match(
      log,
      new RegExp(
        `leader ${leader.name} is gone \\(REST API and PostgreSQL refuse connections 3 times\\): released its leader lock`,
      ),
    );
    // `up` restarts the killed member; it rejoins as a replica.
    await cliOk(state.dir, ['up', '-f', spec()]);
    const healed = await statusOf(state.dir, NAME);
    assert.equal(healed.members.find((m) => m.name === leader.name)?.role, 'replica');
  });

  test('GIVEN peerWatch false WHEN up THEN the running members stop watching at once', async () => {
    await cliOk(state.dir, ['up', '-f', spec(false)]);
    assert.ok(!existsSync(join(state.dir, NAME, 'peer-watch')));
    const before = await statusOf(state.dir, NAME);
    const leader = before.members.find((m) => m.role === 'primary')!;
    for (const pid of [supervisorPid(state.dir, leader.name), leader.patroniPid!, leader.pid!])
      process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 6000));
    const during = await statusOf(state.dir, NAME);
    assert.notEqual(
      during.members.find((m) => m.role === 'primary')?.name ?? leader.name,
      before.members.find((m) => m.name !== leader.name)!.name,
      'promoted within 6 s without the peer watch: the lock was released by someone',
    );
  });
});
