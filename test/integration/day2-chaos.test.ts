/**
 * The chaos suite, short (bench/lib/chaos.ts; `npm run chaos -- --faults N` for long runs), on real
 * etcd, Patroni, PostgreSQL and PgBouncer, 3 members, synchronous, continuous writes, the cluster
 * healing itself (Patroni, the peer watch, pre_promote fencing, the keeper):
 *   - a primary frozen longer than ha.ttl (so a replica takes over while it is frozen) and then
 *     thawed: the promoting member fenced it (its log says so) and no two members ever accepted a
 *     write at the same moment (the 100 ms synchronous_commit = local probe);
 *   - 10 faults drawn at random (the seed is printed; PGCLUSTER_CHAOS_SEED repeats a run): every
 *     fault heals within the bound, 0 acknowledged writes lost, 0 dual-primary moments.
 * Ports 29400-29460.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchCluster } from '../../bench/lib/cluster';
import { byFault, DualPrimaryProbe, dualPrimaryMoments, inject, prng, runChaos } from '../../bench/lib/chaos';
import { connectMatching, perHost, sleep, waitFor } from '../helpers/pg';

const FAULTS = 10;

describe('chaos: faults under continuous writes in synchronous mode', () => {
  let cluster: BenchCluster;

  before(async () => {
    ({ cluster } = await BenchCluster.create({
      key: 'chaos',
      label: 'chaos',
      name: 'chaos',
      basePort: 29400,
    }));
  });

  after(async () => {
    await cluster?.destroy();
  });

  test('GIVEN commits of two members whose intervals overlap, and of one member back to back THEN only the overlap is a dual-primary moment', () => {
    const moments = dualPrimaryMoments([
      { member: 'a', from: 0, to: 10 },
      { member: 'a', from: 5, to: 20 },
      { member: 'b', from: 30, to: 40 },
      { member: 'a', from: 35, to: 36 },
    ]);
    assert.equal(moments.length, 1);
    assert.deepEqual([moments[0]?.a.member, moments[0]?.b.member], ['b', 'a']);
  });

  test('GIVEN the primary frozen (SIGSTOP of all its processes) past ha.ttl WHEN a replica takes over and it thaws THEN the promoting member had fenced it and no two members accepted a write at once', async (t) => {
    const rw = await cluster.uri();
    const setup = await connectMatching(rw, true);
    await setup.query('create table if not exists chaos_probe (member text, at timestamptz default now())');
    await setup.end();
    const status = await cluster.waitSteady();
    const hosts = perHost((await cluster.uri('--superuser')).replace(/\?.*$/, ''));
    const probe = new DualPrimaryProbe(
      status.members.map((m) => ({
        name: m.name,
        uri: (hosts.find((u) => u.includes(`:${m.port}/`)) as string).replace(/\/postgres$/, '/app'),
      })),
    );
    probe.start();
    try {
      await sleep(1000);
      // ttl 20 s: frozen for 26 s, a replica is promoted while the old primary cannot see it.
      const victim = await inject(cluster, 'freeze', status, prng(1), 26_000);
      await waitFor(
        'a new primary and the old one back as a replica',
        async () => {
          const s = await cluster.status();
          return s.primary &&
            s.primary !== victim &&
            s.members.filter((m) => m.state === 'streaming').length === 2
            ? s
            : undefined;
        },
        90_000,
      );
      await sleep(1000);
      await probe.stop();
      const moments = dualPrimaryMoments(probe.commits);
      const s = await cluster.status();
      const log = readFileSync(join(cluster.memberDir(s.primary!), 'patroni.log'), 'utf8');
      t.diagnostic(`${probe.commits.length} probe commits; ${moments.length} dual-primary moment(s)`);
      assert.match(
        log,
        new RegExp(`fence-old-primary: ${victim}: fenced its postmaster \\d+ \\(a primary\\)`),
      );
      assert.deepEqual(moments.slice(0, 3), [], 'two members accepted writes at the same moment');
      assert.ok(
        probe.commits.some((c) => c.member === victim) && probe.commits.some((c) => c.member === s.primary),
      );
    } finally {
      await probe.stop();
    }
  });

  test(`GIVEN ${FAULTS} random faults WHEN each heals THEN every fault heals within the bound, 0 acknowledged writes are lost and there is 0 dual-primary moment`, async (t) => {
    const seed = Number(process.env.PGCLUSTER_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
    t.diagnostic(`seed ${seed} (PGCLUSTER_CHAOS_SEED=${seed} repeats this run)`);
    const report = await runChaos(cluster, FAULTS, seed, (m) => t.diagnostic(m));
    for (const r of byFault(report.faults))
      t.diagnostic(
        `${r.fault}: n=${r.n}, write outage ms ${r.outage.join(', ')}; back to 3 healthy ms ${r.heal.join(', ')}`,
      );
    t.diagnostic(
      `${report.acknowledged} acknowledged writes, ${report.lost.length} lost; ${report.probeCommits} probe commits, ${report.dualPrimary.length} dual-primary moment(s)`,
    );
    assert.deepEqual(
      report.faults.filter((f) => f.error).map((f) => `${f.fault}: ${f.error}`),
      [],
      `seed ${seed}`,
    );
    assert.deepEqual(report.lost, [], `seed ${seed}`);
    assert.deepEqual(report.dualPrimary.slice(0, 3), [], `seed ${seed}`);
    assert.ok(report.acknowledged > 100, `writes went on (${report.acknowledged})`);
  });
});
