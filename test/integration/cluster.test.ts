/**
 * The local platform end to end, with real etcd, Patroni, PostgreSQL 15 and PgBouncer:
 * up, replication, endpoints, idempotent up, switchover, failover without losing acknowledged
 * writes, down/up, destroy. One cluster, steps in order.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliOk, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import {
  connectMatching,
  perHost,
  primaryUri,
  processAlive,
  processesUsing,
  query,
  statusOf,
  uriOf,
  waitFor,
} from '../helpers/pg';
import { SequentialWriter } from '../helpers/writer';

const NAME = 'itest';
const BASE = 21000;

describe('local cluster: 3 members, synchronous', () => {
  const state = tempStateDir('cluster');
  let specFile = '';

  before(async () => {
    specFile = writeSpec(state.dir, {
      name: NAME,
      instances: 3,
      platform: { local: { basePort: BASE, keeper: false } },
      // method first: one named synchronous standby, so a switchover to the other replica is refused.
      synchronous: { number: 1, dataDurability: 'required', method: 'first' },
      pooler: { poolMode: 'transaction' },
    });
  });

  after(async () => {
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
  });

  test('GIVEN a 3-instance spec WHEN up THEN 1 primary and 2 replicas stream, members are reported', async () => {
    const out = await cliOk(state.dir, ['up', '-f', specFile]);
    assert.match(
      out.stderr,
      /cluster itest ready in [\d.]+ s: primary itest-\d, 2 replica\(s\) streaming \(synchronous\)/,
    );
    const status = await statusOf(state.dir, NAME);
    assert.equal(status.members.length, 3);
    assert.equal(status.members.filter((m) => m.role === 'primary').length, 1);
    assert.equal(status.members.filter((m) => m.role === 'replica').length, 2);
    for (const m of status.members) {
      assert.ok(m.pid && processAlive(m.pid), `${m.name} postmaster pid`);
      assert.ok(m.patroniPid && processAlive(m.patroniPid), `${m.name} patroni pid`);
      // up returns once Patroni itself reports every replica streaming, as status shows.
      assert.equal(m.state, m.role === 'primary' ? 'running' : 'streaming', `${m.name} (${m.role})`);
      assert.equal(typeof m.timeline, 'number');
      assert.equal(m.host, '127.0.0.1');
    }
    assert.ok(
      !status.endpoints.rw.includes(':@') &&
        !/:[^/@]+@/.test(status.endpoints.rw.replace('postgresql://', '')),
      'no password',
    );
    const superuser = await uriOf(state.dir, NAME, '--superuser');
    const primary = await connectMatching(superuser, true);
    try {
      const { rows } = await primary.query<{ application_name: string; state: string; sync_state: string }>(
        'select application_name, state, sync_state from pg_stat_replication order by 1',
      );
      assert.deepEqual(
        rows.map((r) => r.application_name),
        status.members.filter((m) => m.role === 'replica').map((m) => m.name),
      );
      assert.ok(rows.every((r) => r.state === 'streaming'));
      assert.equal(rows.filter((r) => r.sync_state === 'sync').length, 1);
    } finally {
      await primary.end();
    }
  });

  test('GIVEN a running cluster THEN it runs unprivileged, data dirs are 0700, secrets are 0600 and appear in no process argument or log', async () => {
    const root = join(state.dir, NAME);
    const secrets = JSON.parse(readFileSync(join(root, 'secrets.json'), 'utf8')) as Record<string, string>;
    const passwords = Object.entries(secrets)
      .filter(([k]) => k.endsWith('Password'))
      .map(([, v]) => v);
    assert.equal(passwords.length, 5);
    assert.equal(statSync(join(root, 'secrets.json')).mode & 0o777, 0o600);
    assert.equal(statSync(root).mode & 0o777, 0o700);
    const status = await statusOf(state.dir, NAME);
    const runUid =
      process.getuid?.() === 0
        ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }))
        : process.getuid?.();
    for (const m of status.members) {
      const dir = join(root, 'members', m.name);
      assert.equal(statSync(join(dir, 'data')).mode & 0o777, 0o700, `${m.name} data dir`);
      assert.equal(statSync(join(dir, 'data')).uid, runUid);
      assert.equal(statSync(join(dir, 'patroni.yml')).mode & 0o777, 0o600);
      for (const pid of [m.pid!, m.patroniPid!]) {
        const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
        assert.equal(Number(uid), runUid, `${m.name} pid ${pid} runs as the run user`);
      }
    }
    assert.notEqual(runUid, 0);
    assert.equal(statSync(join(root, 'pooler', 'userlist.txt')).mode & 0o777, 0o600);
    const cmdlines = processesUsing(root).map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    assert.ok(cmdlines.length >= 5, 'found the cluster processes');
    const logs = filesUnder(root).filter((f) => /\.log$|\/log\//.test(f));
    assert.ok(logs.length >= 4, 'found the logs');
    for (const password of passwords) {
      assert.ok(!cmdlines.some((c) => c.includes(password)), 'a password in a process argument');
      for (const log of logs)
        assert.ok(!readFileSync(log, 'utf8').includes(password), `a password in ${log}`);
    }
  });

  test('GIVEN the cluster WHEN writing through rw and the pooler THEN both rows are read back on ro', async () => {
    const rw = await uriOf(state.dir, NAME);
    const ro = await uriOf(state.dir, NAME, '--ro');
    const pooler = await uriOf(state.dir, NAME, '--pooler');
    // TLS is on by default: every URI verifies the server with the cluster's CA.
    assert.match(rw, /target_session_attrs=read-write&sslmode=verify-full&sslrootcert=\S+\/tls\/ca\.crt$/);
    assert.match(ro, /target_session_attrs=standby&sslmode=verify-full&sslrootcert=\S+\/tls\/ca\.crt$/);
    const writer = await connectMatching(rw, true);
    await writer.query('create table if not exists notes (id int primary key, via text)');
    await writer.query("insert into notes values (1, 'rw')");
    await writer.end();
    await query(pooler, "insert into notes values (2, 'pooler')");
    const rows = await waitFor('rows on a replica', async () => {
      const standby = await connectMatching(ro, false);
      try {
        const r = (await standby.query<{ via: string }>('select via from notes order by id')).rows;
        return r.length === 2 ? r : undefined;
      } finally {
        await standby.end();
      }
    });
    assert.deepEqual(
      rows.map((r) => r.via),
      ['rw', 'pooler'],
    );
  });

  test('GIVEN the cluster WHEN pgcluster psql [--ro] -- -c THEN psql runs on the primary or a replica', async () => {
    const primary = await cliOk(state.dir, [
      'psql',
      NAME,
      '--',
      '-Atc',
      'select pg_is_in_recovery(), count(*) from notes',
    ]);
    assert.equal(primary.stdout.trim(), 'f|2');
    const replica = await cliOk(state.dir, [
      'psql',
      NAME,
      '--ro',
      '--',
      '-Atc',
      'select pg_is_in_recovery()',
    ]);
    assert.equal(replica.stdout.trim(), 't');
    const superuser = await cliOk(state.dir, [
      'psql',
      NAME,
      '--superuser',
      '--',
      '-Atc',
      'select current_user',
    ]);
    assert.equal(superuser.stdout.trim(), 'postgres');
    const failing = await cli(state.dir, ['psql', NAME, '--', '-v', 'ON_ERROR_STOP=1', '-c', 'select nope']);
    assert.notEqual(failing.code, 0, 'psql exit status is passed through');
  });

  test('GIVEN a running cluster WHEN up runs again with the same spec THEN no postmaster restarts', async () => {
    const before = await statusOf(state.dir, NAME);
    const startTimes = await postmasterStartTimes();
    const out = await cliOk(state.dir, ['up', '-f', specFile]);
    assert.doesNotMatch(out.stderr, /started|reloaded|restarted|updated/);
    const afterStatus = await statusOf(state.dir, NAME);
    assert.deepEqual(
      afterStatus.members.map((m) => [m.name, m.pid, m.patroniPid]),
      before.members.map((m) => [m.name, m.pid, m.patroniPid]),
    );
    assert.deepEqual(await postmasterStartTimes(), startTimes);
  });

  test('GIVEN a replica WHEN switchover --to it THEN it is primary, the old primary rejoins, the pooler follows', async () => {
    const before = await statusOf(state.dir, NAME);
    // In synchronous mode only the synchronous standby can be promoted without losing writes.
    const asyncReplica = before.members.find((m) => m.role === 'replica' && !m.sync)!.name;
    const refused = await cli(state.dir, ['switchover', NAME, '--to', asyncReplica]);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      new RegExp(`--to ${asyncReplica}: in synchronous mode only a synchronous standby`),
    );
    const target = before.members.find((m) => m.role === 'replica' && m.sync)!.name;
    const out = await cliOk(state.dir, ['switchover', NAME, '--to', target]);
    assert.match(
      out.stderr,
      new RegExp(`promoted ${target}; ${before.primary} rejoined as replica in [\\d.]+ s`),
    );
    const after = await statusOf(state.dir, NAME);
    assert.equal(after.primary, target);
    assert.equal(after.members.find((m) => m.name === before.primary)?.role, 'replica');
    const targetPort = after.members.find((m) => m.name === target)!.port;
    const pooler = await uriOf(state.dir, NAME, '--pooler');
    const [row] = await query<{ port: number; standby: boolean }>(
      pooler,
      'select inet_server_port() as port, pg_is_in_recovery() as standby',
    );
    assert.equal(row?.port, targetPort);
    assert.equal(row?.standby, false);
  });

  test('GIVEN writes in flight WHEN the primary loses Patroni and postmaster (kill -9) THEN a replica takes over, writes resume through rw and the pooler, no acknowledged write is lost', async () => {
    const rw = await uriOf(state.dir, NAME);
    const pooler = await uriOf(state.dir, NAME, '--pooler');
    await query(await primaryUri(rw), 'create table if not exists seq (id int primary key)');
    const writer = new SequentialWriter(rw, 'seq');
    writer.start();
    await writer.waitForAcks(50);
    const victim = await statusOf(state.dir, NAME);
    const old = victim.members.find((m) => m.role === 'primary')!;
    process.kill(old.patroniPid!, 'SIGKILL');
    process.kill(old.pid!, 'SIGKILL');
    const killedAt = Date.now();
    await writer.waitForAcks(50, 60_000);
    const report = await writer.stop();
    const resumedAfter = (report.ackTimes.find((t) => t > killedAt) ?? 0) - killedAt;
    const after = await waitFor('a new primary', async () => {
      const s = await statusOf(state.dir, NAME);
      return s.primary && s.primary !== old.name ? s : undefined;
    });
    assert.notEqual(after.primary, old.name);
    // The member's supervisor stopped everything the kill left: nothing of it runs; and, the
    // postmaster gone, it released the leader lock so the failover did not wait for the TTL.
    await waitFor(
      'the killed member to be fully down',
      async () => !processAlive(old.pid!) && !processAlive(old.patroniPid!),
    );
    const log = readFileSync(join(state.dir, NAME, 'members', old.name, 'patroni.log'), 'utf8');
    const crashed = log.lastIndexOf('patroni exited with -9; stopping what it left behind');
    assert.ok(
      crashed >= 0 && log.indexOf('released the leader lock', crashed) > crashed,
      'lock released after the crash',
    );
    const stored = new Set(
      (await query<{ id: number }>(await primaryUri(rw), 'select id from seq')).map((r) => Number(r.id)),
    );
    const lost = report.acknowledged.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `acknowledged writes lost: ${lost.join(', ')}`);
    assert.ok(resumedAfter > 0 && resumedAfter < 30_000, `writes resumed after ${resumedAfter} ms`);
    const [viaPooler] = await waitFor('a write through the pooler', async () =>
      query<{ port: number }>(
        pooler,
        'insert into seq values (1000000) returning inet_server_port() as port',
      ),
    );
    assert.equal(viaPooler?.port, after.members.find((m) => m.name === after.primary)!.port);
    // `up` restarts the killed member, which rejoins as a replica.
    await cliOk(state.dir, ['up', '-f', specFile]);
    const healed = await statusOf(state.dir, NAME);
    assert.equal(healed.members.find((m) => m.name === old.name)?.role, 'replica');
    assert.equal(healed.members.find((m) => m.name === old.name)?.state, 'streaming');
  });

  test('GIVEN a cluster with data WHEN down THEN nothing runs; WHEN up again THEN the data is there', async () => {
    const before = await statusOf(state.dir, NAME);
    await cliOk(state.dir, ['down', NAME]);
    for (const m of before.members) {
      assert.ok(!processAlive(m.pid!), `${m.name} postmaster stopped`);
      assert.ok(!processAlive(m.patroniPid!), `${m.name} patroni stopped`);
    }
    const down = await statusOf(state.dir, NAME);
    assert.ok(down.members.every((m) => m.state === 'stopped' && m.pid === null));
    assert.ok(!down.services.etcd?.running && !down.services.pooler?.running);
    await cliOk(state.dir, ['up', '-f', specFile]);
    const rows = await query<{ n: string }>(
      await primaryUri(await uriOf(state.dir, NAME)),
      'select count(*) as n from notes',
    );
    assert.equal(Number(rows[0]?.n), 2);
  });

  test('GIVEN the cluster WHEN destroy THEN no process or file of it is left', async () => {
    const before = await statusOf(state.dir, NAME);
    const pids = [
      ...before.members.flatMap((m) => [m.pid, m.patroniPid]),
      before.services.etcd?.pid,
      before.services.pooler?.pid,
    ].filter((p): p is number => typeof p === 'number');
    assert.ok(pids.length >= 8);
    await cliOk(state.dir, ['destroy', NAME]);
    assert.deepEqual(
      pids.filter((p) => processAlive(p)),
      [],
    );
    assert.ok(!existsSync(join(state.dir, NAME)));
    assert.deepEqual(processesUsing(join(state.dir, NAME)), []);
    const list = await cliOk(state.dir, ['list']);
    assert.equal(list.stdout.trim(), '');
  });

  async function postmasterStartTimes(): Promise<string[]> {
    const superuser = await uriOf(state.dir, NAME, '--superuser');
    const out: string[] = [];
    for (const one of perHost(superuser.replace(/\?.*$/, ''))) {
      const [row] = await query<{ t: Date }>(one, 'select pg_postmaster_start_time() as t');
      out.push(String(row?.t.toISOString()));
    }
    return out;
  }
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'data' ? [] : filesUnder(path);
    return e.isFile() ? [path] : [];
  });
}
