/**
 * Day-2 lifecycle on real etcd, Patroni, PostgreSQL and PgBouncer (3 members, synchronous), each
 * checked by its effect: a rolling restart for a parameter that needs one goes replicas, switchover,
 * old primary with no failed transaction through the pooler; primaryUpdateStrategy supervised stops
 * before the primary; a fenced member accepts no connection and is not promoted when the primary
 * dies, and unfencing brings it back as a replica; a paused cluster (maintenance) does not fail over;
 * hibernation leaves no process and resuming keeps the data. Ports 29100-29160.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as netConnect } from 'node:net';
import { cli, cliOk, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { perHost, primaryUri, processesUsing, query, sleep, statusOf, uriOf, waitFor } from '../helpers/pg';
import { pgbench } from '../helpers/pgbench';

const NAME = 'lifecyc';
const BASE = 29100;

/** Whether anything listens on 127.0.0.1:port (a fenced member: nothing). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Kills a member whole (supervisor, Patroni, postmaster), as a lost machine. */
function killMember(
  stateDir: string,
  member: { name: string; pid?: number | null; patroniPid?: number | null },
) {
  const supervisor = Number(
    readFileSync(join(stateDir, NAME, 'members', member.name, 'supervisor.pid'), 'utf8'),
  );
  for (const pid of [supervisor, member.patroniPid, member.pid])
    if (pid)
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
}

describe('local cluster: rolling restart, fencing, maintenance, hibernation', () => {
  const state = tempStateDir('day2-lifecycle');
  const base = {
    name: NAME,
    instances: 3,
    platform: { local: { basePort: BASE } },
    synchronous: { number: 1, dataDurability: 'required' },
    pooler: { poolMode: 'transaction' },
  };
  const spec = (extra: Record<string, unknown> = {}) => writeSpec(state.dir, { ...base, ...extra });

  before(async () => {
    await cliOk(state.dir, ['up', '-f', spec()]);
    const init = await pgbench(await uriOf(state.dir, NAME, '--pooler'), ['-i', '-s', '1', '-q']).done;
    assert.equal(init.code, 0, init.output);
  });

  after(async () => {
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
  });

  test('GIVEN pgbench -c 8 through the pooler WHEN a parameter that needs a restart changes THEN replicas restart one at a time, then a switchover, with no failed transaction', async (t) => {
    const before = await statusOf(state.dir, NAME);
    const run = pgbench(await uriOf(state.dir, NAME, '--pooler'), ['-c', '8', '-j', '2', '-T', '45']);
    await sleep(2000);
    const up = await cli(state.dir, ['up', '-f', spec({ parameters: { max_connections: 120 } })]);
    const result = await run.done;
    assert.equal(up.code, 0, up.stderr);
    const replicas = before.members.filter((m) => m.role !== 'primary').map((m) => m.name);
    const events = up.stderr
      .split('\n')
      .map((l) => /restarting (\S+)|switching over from (\S+)/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => (m[1] ? `restart ${m[1]}` : `switchover ${m[2]}`));
    t.diagnostic(`order: ${events.join(' -> ')}; longest stall ${result.maxLatencyMs.toFixed(0)} ms`);
    assert.deepEqual(events.slice(0, 3), [
      ...replicas.sort().map((r) => `restart ${r}`),
      `switchover ${before.primary}`,
    ]);
    assert.equal(result.failed, 0, result.output);
    assert.equal(result.aborted, 0, result.output);
    assert.equal(result.code, 0, result.output);
    const settings = await Promise.all(
      perHost(await uriOf(state.dir, NAME, '--superuser')).map((u) =>
        query<{ v: string }>(u, "select current_setting('max_connections') as v"),
      ),
    );
    assert.deepEqual(
      settings.map((r) => r[0]?.v),
      ['120', '120', '120'],
      'every member runs the new value',
    );
    assert.notEqual((await statusOf(state.dir, NAME)).primary, before.primary, 'the primary moved');
  });

  test('GIVEN primaryUpdateStrategy supervised WHEN a restart parameter changes THEN the replicas restart, the primary does not, and up says how to go on', async () => {
    const before = await statusOf(state.dir, NAME);
    const up = await cliOk(state.dir, [
      'up',
      '-f',
      spec({ primaryUpdateStrategy: 'supervised', parameters: { max_connections: 130 } }),
    ]);
    assert.match(up.stderr, /primaryUpdateStrategy supervised: .*pgcluster switchover lifecyc/);
    assert.doesNotMatch(up.stderr, /switching over/);
    const afterwards = await statusOf(state.dir, NAME);
    assert.equal(afterwards.primary, before.primary, 'the primary stayed');
    const primary = afterwards.members.find((m) => m.role === 'primary')!;
    const value = async (port: number) =>
      (
        await query<{ v: string }>(
          perHost(await uriOf(state.dir, NAME, '--superuser')).find((u) => u.includes(`:${port}/`))!,
          "select current_setting('max_connections') as v",
        )
      )[0]?.v;
    assert.equal(await value(primary.port), '120', 'the primary still runs the old value');
    for (const m of afterwards.members.filter((x) => x.role !== 'primary'))
      assert.equal(await value(m.port), '130');
    // Going on as it says: the switchover restarts the old primary as a replica.
    await cliOk(state.dir, ['switchover', NAME]);
    assert.equal(await value(primary.port), '130');
  });

  test('GIVEN a fenced replica WHEN the primary is lost THEN the fenced member accepts no connection and is not promoted; unfence brings it back as a replica', async () => {
    const file = spec({ primaryUpdateStrategy: 'supervised', parameters: { max_connections: 130 } });
    await cliOk(state.dir, ['up', '-f', file]);
    const status = await statusOf(state.dir, NAME);
    const [fenced, other] = status.members.filter((m) => m.role !== 'primary');
    const fence = await cliOk(state.dir, ['fence', NAME, fenced!.name]);
    assert.match(
      fence.stderr,
      new RegExp(`fenced ${fenced!.name}: PostgreSQL and Patroni stopped in [\\d.]+ s`),
    );
    assert.equal(await listening(fenced!.port), false, 'the fenced member accepts no connection');
    const fencedStatus = (await statusOf(state.dir, NAME)).members.find((m) => m.name === fenced!.name);
    assert.ok(!fencedStatus?.pid, 'no postmaster on the fenced member');
    killMember(
      state.dir,
      status.members.find((m) => m.role === 'primary')!,
    );
    const promoted = await waitFor('a replica to be promoted', async () => {
      const rows = await query<{ r: boolean }>(
        perHost(await uriOf(state.dir, NAME, '--superuser')).find((u) => u.includes(`:${other!.port}/`))!,
        'select pg_is_in_recovery() as r',
      ).catch(() => []);
      return rows[0] && !rows[0].r ? other!.name : undefined;
    });
    assert.equal(promoted, other!.name);
    await sleep(2000);
    assert.equal(await listening(fenced!.port), false, 'the fenced member still accepts nothing');
    // unfence runs `up` on the recorded spec: the fenced member and the killed one come back as replicas.
    const unfence = await cliOk(state.dir, ['unfence', NAME, fenced!.name]);
    assert.match(unfence.stderr, /ready in/);
    const back = await statusOf(state.dir, NAME);
    assert.equal(back.primary, other!.name);
    assert.equal(back.members.find((m) => m.name === fenced!.name)?.state, 'streaming');
  });

  test('GIVEN maintenance on WHEN the whole primary member is lost THEN no replica is promoted; maintenance off lets the cluster heal', async () => {
    const on = await cliOk(state.dir, ['maintenance', NAME, 'on']);
    assert.match(on.stderr, /maintenance on: Patroni paused/);
    const status = await statusOf(state.dir, NAME);
    const primary = status.members.find((m) => m.role === 'primary')!;
    // PostgreSQL keeps serving while paused.
    await query(
      await primaryUri(await uriOf(state.dir, NAME)),
      'create table if not exists paused_write (id int)',
    );
    killMember(state.dir, primary);
    const survivors = perHost(await uriOf(state.dir, NAME, '--superuser')).filter(
      (u) => !u.includes(`:${primary.port}/`),
    );
    // Longer than ttl (20 s): without the pause a replica would have taken over by then.
    const deadline = Date.now() + 25_000;
    while (Date.now() < deadline) {
      for (const u of survivors) {
        const rows = await query<{ r: boolean }>(u, 'select pg_is_in_recovery() as r');
        assert.equal(
          rows[0]?.r,
          true,
          `a replica was promoted while paused (${u.replace(/:[^@/]*@/, ':***@')})`,
        );
      }
      await sleep(500);
    }
    await cliOk(state.dir, ['maintenance', NAME, 'off']);
    const healed = await statusOf(state.dir, NAME);
    assert.equal(healed.members.filter((m) => m.state === 'streaming').length, 2);
    assert.ok(healed.primary);
  });

  test('GIVEN a hibernated cluster THEN no process of it is left; hibernate off resumes it on the same data', async () => {
    await query(await primaryUri(await uriOf(state.dir, NAME)), 'create table if not exists kept (v text)');
    await query(
      await primaryUri(await uriOf(state.dir, NAME)),
      "insert into kept values ('before hibernation')",
    );
    const on = await cliOk(state.dir, ['hibernate', NAME, 'on']);
    assert.match(
      on.stderr,
      /hibernated lifecyc in [\d.]+ s: 3 member\(s\) and every service stopped, data kept/,
    );
    assert.deepEqual(processesUsing(join(state.dir, NAME)), [], 'no process left');
    const status = await statusOf(state.dir, NAME);
    assert.ok(
      status.members.every((m) => !m.pid && !m.patroniPid),
      JSON.stringify(status.members),
    );
    await cliOk(state.dir, ['hibernate', NAME, 'off']);
    const rows = await query<{ v: string }>(
      await primaryUri(await uriOf(state.dir, NAME)),
      'select v from kept',
    );
    assert.deepEqual(
      rows.map((r) => r.v),
      ['before hibernation'],
    );
    assert.equal((await statusOf(state.dir, NAME)).members.filter((m) => m.state === 'streaming').length, 2);
  });
});
