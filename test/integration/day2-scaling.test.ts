/**
 * Scaling on real etcd, Patroni and PostgreSQL: 3 -> 5 -> 2 members with writes in between; no
 * acknowledged row is lost, the primary is never removed, and a removed member's data is kept aside
 * (removedMemberData: keep). destroy-member removes a replica's data and it comes back streaming; the
 * primary is refused. Ports 29300-29360.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliOk, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { perHost, primaryUri, query, statusOf, uriOf, waitFor } from '../helpers/pg';

const NAME = 'scaling';
const BASE = 29300;

describe('local cluster: scaling 3 -> 5 -> 2 and destroy-member', () => {
  const state = tempStateDir('day2-scaling');
  const file = (instances: number) =>
    writeSpec(state.dir, {
      name: NAME,
      instances,
      platform: { local: { basePort: BASE } },
      synchronous: { number: 1 },
    });
  let written = 0;

  async function writeRows(n: number): Promise<void> {
    const uri = await primaryUri(await uriOf(state.dir, NAME));
    for (let i = 0; i < n; i++) await query(uri, 'insert into scaled (id) values ($1)', [++written]);
  }

  async function rows(): Promise<number> {
    const [row] = await query<{ n: string }>(
      await primaryUri(await uriOf(state.dir, NAME)),
      'select count(*) as n from scaled',
    );
    return Number(row?.n);
  }

  before(async () => {
    await cliOk(state.dir, ['up', '-f', file(3)]);
    await query(await primaryUri(await uriOf(state.dir, NAME)), 'create table scaled (id int primary key)');
    await writeRows(100);
  });

  after(async () => {
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
  });

  test('GIVEN 3 members WHEN scaled to 5 THEN 4 replicas stream and every row is there', async () => {
    // 5 members need more wal senders (a restart): a rolling restart, whose switchover may move the primary.
    await cliOk(state.dir, ['up', '-f', file(5)]);
    await writeRows(100);
    const s = await statusOf(state.dir, NAME);
    assert.equal(s.members.length, 5);
    assert.equal(s.members.filter((m) => m.state === 'streaming').length, 4);
    assert.ok(s.primary, 'one primary');
    assert.equal(await rows(), 200);
  });

  test('GIVEN the primary on the highest slot WHEN scaled to 2 (a rolling restart too) THEN the primary is never one removed, 3 replicas go with their data kept aside, no row is lost', async () => {
    await cliOk(state.dir, ['switchover', NAME, '--to', `${NAME}-5`]);
    await writeRows(100);
    const up = await cliOk(state.dir, ['up', '-f', file(2)]);
    const s = await statusOf(state.dir, NAME);
    assert.deepEqual(s.members.map((m) => m.name).sort(), [`${NAME}-1`, `${NAME}-5`]);
    assert.ok(
      s.primary === `${NAME}-1` || s.primary === `${NAME}-5`,
      `primary ${s.primary} is one that stays`,
    );
    assert.equal(s.members.filter((m) => m.state === 'streaming').length, 1, 'the other streams');
    assert.match(up.stderr, /removed scaling-2; its data is kept in /);
    const removed = readdirSync(join(state.dir, NAME, 'removed'));
    assert.equal(removed.length, 3, removed.join(', '));
    assert.ok(removed.every((d) => existsSync(join(state.dir, NAME, 'removed', d, 'data', 'PG_VERSION'))));
    await writeRows(10);
    assert.equal(await rows(), 310);
  });

  test('GIVEN destroy-member WHEN aimed at the primary THEN it is refused; at a replica THEN the replica comes back streaming with the rows', async () => {
    const primary = (await statusOf(state.dir, NAME)).primary!;
    const refused = await cli(state.dir, ['destroy-member', NAME, primary]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /is the primary of scaling: switch over first/);
    const replicaName = (await statusOf(state.dir, NAME)).members.find((m) => m.role !== 'primary')!.name;
    const out = await cliOk(state.dir, ['destroy-member', NAME, replicaName]);
    assert.match(
      out.stderr,
      new RegExp(`destroyed ${replicaName}'s data in [\\d.]+ s; the keeper starts it again`),
    );
    await waitFor(
      `${replicaName} streaming again`,
      async () => {
        const s = await statusOf(state.dir, NAME);
        return s.members.find((m) => m.name === replicaName)?.state === 'streaming' || undefined;
      },
      60_000,
    );
    const replica = (await statusOf(state.dir, NAME)).members.find((m) => m.name === replicaName)!;
    const su = await uriOf(state.dir, NAME, '--superuser');
    const host = perHost(su.replace(/\?.*$/, ''))
      .find((u) => u.includes(`:${replica.port}/`))!
      .replace(/\/postgres$/, '/app');
    const expected = await rows();
    assert.ok(expected >= 300, `${expected} rows on the primary`);
    await waitFor('the rows on the new replica', async () => {
      const [row] = await query<{ n: string }>(host, 'select count(*) as n from scaled').catch(() => []);
      return Number(row?.n) === expected || undefined;
    });
  });
});
