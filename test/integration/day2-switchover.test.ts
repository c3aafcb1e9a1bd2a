/**
 * Switchover and failover as the pooler's clients see them, on real etcd, Patroni, PostgreSQL and
 * PgBouncer (3 members, synchronous). `pgbench -c 8` runs through the pooler while
 * `pgcluster switchover` moves the primary: no transaction fails and no client aborts, in
 * transaction mode and in session mode (clients holding a server connection); the longest stall is
 * reported. With pooler.carrySessions false, session clients are cut (the same run fails), which
 * shows what carrying them does. A whole primary member killed under pooler clients: the pooler is
 * repointed within 1 s of the promotion, and 2 s after it no client is on a read-only server, also
 * once the old member is back as a replica. Ports 29000-29060.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliOk, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { perHost, query, sleep, statusOf, uriOf, waitFor } from '../helpers/pg';
import { pgbench } from '../helpers/pgbench';
import { PoolerClients } from '../helpers/pooler-clients';

const NAME = 'swpool';
const BASE = 29000;

describe('local cluster: switchover and failover through the pooler', () => {
  const state = tempStateDir('day2-switchover');
  const spec = (pooler: Record<string, unknown>) =>
    writeSpec(state.dir, {
      name: NAME,
      instances: 3,
      platform: { local: { basePort: BASE } },
      synchronous: { number: 1, dataDurability: 'required' },
      pooler,
    });

  before(async () => {
    await cliOk(state.dir, ['up', '-f', spec({ poolMode: 'transaction' })]);
    const init = pgbench(await uriOf(state.dir, NAME, '--pooler'), ['-i', '-s', '1', '-q']);
    const result = await init.done;
    assert.equal(result.code, 0, result.output);
  });

  after(async () => {
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
  });

  /** pgbench -c 8 through the pooler, a switchover 4 s in; returns pgbench's result and the CLI's. */
  async function switchoverUnderPgbench() {
    const before = await statusOf(state.dir, NAME);
    const run = pgbench(await uriOf(state.dir, NAME, '--pooler'), ['-c', '8', '-j', '2', '-T', '14']);
    await sleep(4000);
    const sw = await cli(state.dir, ['switchover', NAME]);
    const result = await run.done;
    const afterwards = await statusOf(state.dir, NAME);
    assert.equal(sw.code, 0, sw.stderr);
    assert.notEqual(afterwards.primary, before.primary, 'the primary moved');
    return { result, sw, oldPrimary: before.primary as string };
  }

  test('GIVEN pgbench -c 8 through the pooler in transaction mode WHEN pgcluster switchover THEN no transaction fails and no client aborts', async (t) => {
    const { result, sw, oldPrimary } = await switchoverUnderPgbench();
    // The old primary's supervisor handed the leader lock over as soon as PostgreSQL was down and
    // the candidate had its last WAL (verified over the HTTPS REST API), not Patroni a second later.
    const log = readFileSync(join(state.dir, NAME, 'members', oldPrimary, 'patroni.log'), 'utf8');
    assert.match(
      log,
      /switchover: PostgreSQL shut down cleanly and swpool-\d(, swpool-\d)* has its last WAL: released the leader lock/,
    );
    t.diagnostic(
      `transaction mode: longest stall ${result.maxLatencyMs.toFixed(0)} ms, ${result.processed} transactions`,
    );
    // The PAUSE came from the old primary's before_stop hook, right before PostgreSQL stopped.
    assert.match(sw.stderr, new RegExp(`paused the pooler as ${oldPrimary} stopped in [\\d.]+ s`));
    assert.match(log, /before_stop: paused the pooler for pgcluster's switchover in [\d.]+ s/);
    assert.match(sw.stderr, /CHECKPOINT on swpool-\d/);
    assert.equal(result.code, 0, result.output);
    assert.equal(result.aborted, 0, result.output);
    assert.equal(result.failed, 0, result.output);
    assert.ok(result.processed > 1000, result.output);
    assert.ok(result.maxLatencyMs < 5000, `a transaction waited ${result.maxLatencyMs} ms`);
  });

  test('GIVEN the pooler in session mode (clients hold a server connection) WHEN pgcluster switchover THEN no transaction fails and no client aborts', async (t) => {
    await cliOk(state.dir, ['up', '-f', spec({ poolMode: 'session' })]);
    const { result } = await switchoverUnderPgbench();
    t.diagnostic(
      `session mode: longest stall ${result.maxLatencyMs.toFixed(0)} ms, ${result.processed} transactions`,
    );
    assert.equal(result.code, 0, result.output);
    assert.equal(result.aborted, 0, result.output);
    assert.equal(result.failed, 0, result.output);
    assert.match(
      readFileSync(join(state.dir, NAME, 'pooler', 'pgbouncer.ini'), 'utf8'),
      /^pool_mode = session$/m,
      'session mode again after the switchover',
    );
  });

  test('GIVEN session mode with pooler.carrySessions false WHEN pgcluster switchover THEN the session clients are cut (what carrying spares them)', async () => {
    await cliOk(state.dir, [
      'up',
      '-f',
      spec({ poolMode: 'session', carrySessions: false, pauseTimeout: 2 }),
    ]);
    const { result, sw } = await switchoverUnderPgbench();
    // The PAUSE, armed as the old primary stops, either times out on the sessions' server connections
    // or completes because the stop ended them (a slow stop, on a loaded machine): the clients are cut
    // either way, which is what carrying spares them.
    assert.match(
      sw.stderr,
      /still had \d+ server connection\(s\) in use after pooler.pauseTimeout 2 s|paused the pooler as \S+ stopped in/,
    );
    assert.ok(result.aborted > 0 || result.code !== 0, `no client was cut:\n${result.output}`);
  });

  test('GIVEN pooler clients in session mode WHEN the whole primary member is killed THEN the pooler is repointed within 1 s of the promotion and 2 s after it no client is on a read-only server', async (t) => {
    const file = spec({ poolMode: 'session' });
    await cliOk(state.dir, ['up', '-f', file]);
    const status = await statusOf(state.dir, NAME);
    const victim = status.members.find((m) => m.role === 'primary')!;
    const superuser = perHost(await uriOf(state.dir, NAME, '--superuser'));
    const survivors = superuser.filter((u) => !u.includes(`:${victim.port}/`));
    const clients = new PoolerClients(await uriOf(state.dir, NAME, '--pooler'), 6);
    clients.start();
    await sleep(1500);
    const databasesIni = join(state.dir, NAME, 'pooler', 'databases.ini');
    const supervisor = Number(
      readFileSync(join(state.dir, NAME, 'members', victim.name, 'supervisor.pid'), 'utf8'),
    );
    for (const pid of [supervisor, victim.patroniPid!, victim.pid!]) process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    let promotedAt = 0;
    let repointedAt = 0;
    let newPort = 0;
    while ((!promotedAt || !repointedAt) && Date.now() - killedAt < 30_000) {
      for (const uri of survivors) {
        if (promotedAt) break;
        const row = await query<{ r: boolean; p: number }>(
          uri,
          'select pg_is_in_recovery() as r, inet_server_port() as p',
        ).catch(() => []);
        if (row[0] && !row[0].r) {
          promotedAt = Date.now();
          newPort = row[0].p;
        }
      }
      if (promotedAt && !repointedAt && readFileSync(databasesIni, 'utf8').includes(`port=${newPort}`))
        repointedAt = Date.now();
      await sleep(20);
    }
    assert.ok(promotedAt > 0, 'a replica was promoted');
    assert.ok(repointedAt > 0, 'the pooler was repointed');
    t.diagnostic(
      `promoted ${promotedAt - killedAt} ms after the kill; pooler repointed ${repointedAt - promotedAt} ms after the promotion`,
    );
    assert.ok(
      repointedAt - promotedAt <= 1000,
      `repointed ${repointedAt - promotedAt} ms after the promotion`,
    );
    // The killed member comes back as a replica: a pooler still pointing there would hand it out.
    await cliOk(state.dir, ['up', '-f', file]);
    await waitFor('the old primary streaming again', async () => {
      const s = await statusOf(state.dir, NAME);
      return s.members.find((m) => m.name === victim.name)?.state === 'streaming' || undefined;
    });
    await sleep(3000);
    const answers = await clients.stop();
    const late = answers.filter((a) => a.ok && a.at >= promotedAt + 2000);
    assert.ok(late.length > 100, `the clients kept working (${late.length} answers)`);
    const readOnly = late.filter((a) => a.readOnly || a.port !== newPort);
    assert.deepEqual(
      readOnly.slice(0, 3),
      [],
      `${readOnly.length} answer(s) from a read-only or other server`,
    );
    assert.ok(new Set(late.map((a) => a.client)).size === 6, 'every client reconnected');
  });
});
