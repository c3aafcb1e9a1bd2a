/**
 * Quorum commit (synchronous.method any, Patroni's `synchronous_mode: quorum`) with real etcd,
 * Patroni 4.1 and PostgreSQL 15, 3 members, number 1, dataDurability required: commits wait for
 * either replica, so killing one replica (whole member) never blocks them; killing the primary under
 * writes loses no acknowledged write. Ports 21900-21960.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliOk, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { primaryUri, processAlive, query, statusOf, uriOf, waitFor } from '../helpers/pg';
import { SequentialWriter } from '../helpers/writer';
import type { ClusterStatus, MemberStatus } from '../../provider/actions/status';

const NAME = 'quorum';
const BASE = 21900;

function supervisorPid(stateDir: string, member: string): number {
  return Number(readFileSync(join(stateDir, NAME, 'members', member, 'supervisor.pid'), 'utf8').trim());
}

/** SIGKILLs a member whole: its supervisor, Patroni and postmaster at once. */
function killMember(stateDir: string, m: MemberStatus): void {
  for (const pid of [supervisorPid(stateDir, m.name), m.patroniPid!, m.pid!]) process.kill(pid, 'SIGKILL');
}

async function steady(stateDir: string): Promise<ClusterStatus> {
  return waitFor(
    `${NAME}: a primary and 2 streaming quorum replicas`,
    async () => {
      const s = await statusOf(stateDir, NAME);
      const replicas = s.members.filter((m) => m.role === 'replica');
      return s.primary && replicas.length === 2 && replicas.every((m) => m.state === 'streaming' && m.sync)
        ? s
        : undefined;
    },
    60_000,
  );
}

describe('local cluster: quorum commit (synchronous.method any)', () => {
  const state = tempStateDir('quorum');
  let specFile = '';

  before(async () => {
    specFile = writeSpec(state.dir, {
      name: NAME,
      instances: 3,
      platform: { local: { basePort: BASE, keeper: false } },
      synchronous: { number: 1, dataDurability: 'required', method: 'any' },
    });
    await cliOk(state.dir, ['up', '-f', specFile]);
  });

  let tables = 0;
  /** A fresh table per writer: each writer counts its ids from 1. */
  async function newTable(): Promise<string> {
    const table = `seq_${++tables}`;
    await query(await primaryUri(await uriOf(state.dir, NAME)), `create table ${table} (id int primary key)`);
    return table;
  }

  after(async () => {
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
  });

  test('GIVEN number 1 of 2 replicas WHEN up THEN PostgreSQL waits for ANY 1 of both, and both are quorum standbys', async () => {
    const s = await steady(state.dir);
    const [row] = await query<{ names: string }>(
      await primaryUri(await uriOf(state.dir, NAME, '--superuser')),
      "select current_setting('synchronous_standby_names') as names",
    );
    const replicas = s.members.filter((m) => m.role === 'replica').map((m) => m.name);
    assert.match(row!.names, /^ANY 1 \(/, row!.names);
    for (const r of replicas) assert.ok(row!.names.includes(r), `${r} in ${row!.names}`);
    const sync = await query<{ application_name: string; sync_state: string }>(
      await primaryUri(await uriOf(state.dir, NAME, '--superuser')),
      'select application_name, sync_state from pg_stat_replication order by 1',
    );
    assert.deepEqual(
      sync.map((r) => r.sync_state),
      ['quorum', 'quorum'],
    );
  });

  for (const which of [0, 1]) {
    test(`GIVEN writes WHEN replica #${which + 1} is killed whole THEN no commit waits longer than 400 ms`, async () => {
      const s = await steady(state.dir);
      const victim = s.members.filter((m) => m.role === 'replica')[which]!;
      const writer = new SequentialWriter(await uriOf(state.dir, NAME), await newTable());
      writer.start();
      try {
        await writer.waitForAcks(30);
        const killedAt = Date.now();
        killMember(state.dir, victim);
        await writer.waitForAcks(100, 20_000);
        const report = await writer.stop();
        const gapsAfter = report.ackTimes.filter((t) => t > killedAt);
        const longest = Math.max(
          ...gapsAfter.map((t, i) => t - (i === 0 ? killedAt : (gapsAfter[i - 1] as number))),
        );
        assert.equal(report.failures, 0, 'no write failed');
        // Commits here take ~25 ms apart. With method first, killing the named synchronous standby
        // stalls them until Patroni names the other (up to a loopWait: 0.7 s measured).
        assert.ok(longest < 400, `a commit waited ${longest} ms after ${victim.name} was killed`);
      } finally {
        await writer.stop();
        await cliOk(state.dir, ['up', '-f', specFile]);
      }
    });
  }

  test('GIVEN writes WHEN the primary is killed whole THEN a quorum replica takes over and no acknowledged write is lost', async () => {
    const s = await steady(state.dir);
    const old = s.members.find((m) => m.role === 'primary')!;
    const rw = await uriOf(state.dir, NAME);
    const table = await newTable();
    const writer = new SequentialWriter(rw, table);
    writer.start();
    let report;
    try {
      await writer.waitForAcks(50);
      killMember(state.dir, old);
      await writer.waitForAcks(50, 60_000);
    } finally {
      report = await writer.stop();
    }
    const after = await waitFor('a new primary', async () => {
      const now = await statusOf(state.dir, NAME);
      return now.primary && now.primary !== old.name ? now : undefined;
    });
    assert.ok(!processAlive(old.pid!), 'the old postmaster is gone');
    const stored = new Set(
      (await query<{ id: number }>(await primaryUri(rw), `select id from ${table}`)).map((r) => Number(r.id)),
    );
    const lost = report.acknowledged.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `acknowledged writes lost: ${lost.join(', ')}`);
    assert.notEqual(after.primary, old.name);
    await cliOk(state.dir, ['up', '-f', specFile]);
    await steady(state.dir);
  });

  test('GIVEN quorum mode WHEN switching over to either replica THEN Patroni accepts it', async () => {
    const s = await steady(state.dir);
    const target = s.members.filter((m) => m.role === 'replica')[1]!.name;
    const out = await cliOk(state.dir, ['switchover', NAME, '--to', target]);
    assert.match(out.stderr, new RegExp(`promoted ${target}`));
    assert.equal((await statusOf(state.dir, NAME)).primary, target);
  });
});
