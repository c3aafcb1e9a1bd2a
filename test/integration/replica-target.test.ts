/**
 * A delayed archive-only replica cluster promoted to a time (replica.applyDelay, replica.target):
 * site-a archives to MinIO with pgBackRest; site-b (2 members) follows site-a's archive only, its
 * replay held back by an hour; site-a commits three batches of rows, and site-b is promoted to a time
 * between the second and the third. site-b has exactly the rows committed before the time, takes
 * writes, its replica follows it, and site-a is not touched (still the primary of its own timeline,
 * every row there). Before that, the targets that cannot be reached are refused by up with nothing
 * changed: a time in the future, one after site-a's last archived segment, one before what site-b has
 * replayed. Ports 28400-28460 (site-a), 28500-28560 (site-b), MinIO 28590.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, tempStateDir, type CliResult } from '../helpers/cli';
import { query, statusOf, waitFor } from '../helpers/pg';
import { TestMinio } from '../helpers/minio';
import { writeSpec } from '../helpers/spec-file';
import { idsOn, leaderUri, memberUris } from '../helpers/replica';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const BUCKET = 'pgc-replica-target';
const NOW_ISO = `to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

describe(
  'replica clusters: a delayed archive replica cluster promoted to a time',
  { timeout: 900_000 },
  () => {
    const state = tempStateDir('replica-target');
    let minio: TestMinio;
    let env: Record<string, string> = {};
    const run = (args: string[]): Promise<CliResult> => cli(state.dir, args, undefined, env);
    const bSpec = (extra: object = {}) =>
      writeSpec(
        state.dir,
        {
          name: 'site-b',
          instances: 2,
          platform: { local: { basePort: 28500 } },
          replica: { source: { cluster: 'site-a' }, via: 'archive', applyDelay: '1h', ...extra },
        },
        'site-b.yaml',
      );
    let beforeBackup = '';

    before(async () => {
      minio = await TestMinio.start(28590);
      await minio.createBucket(BUCKET);
      env = minio.env();
      const a = writeSpec(
        state.dir,
        {
          name: 'site-a',
          instances: 1,
          platform: { local: { basePort: 28400 } },
          backup: { s3: minio.s3Spec(BUCKET), schedule: {} },
        },
        'site-a.yaml',
      );
      const out = await run(['up', '-f', a]);
      assert.equal(out.code, 0, out.stderr);
      const aUri = await leaderUri(state.dir, 'site-a');
      await query(aUri, 'create table marks (id int primary key, batch int not null)');
      beforeBackup = (await query<{ at: string }>(aUri, `select ${NOW_ISO} as at`))[0]?.at as string;
      const backup = await run(['backup', 'site-a']);
      assert.equal(backup.code, 0, backup.stderr);
    });

    after(async () => {
      await run(['destroy', 'site-b']);
      await run(['destroy', 'site-a']);
      state.cleanup();
      await minio.destroy();
    });

    /** The last lines of every log of a cluster's members (Patroni's, PostgreSQL's): why a step failed. */
    const logTails = (name: string): string => {
      const members = join(state.dir, name, 'members');
      return readdirSync(members)
        .flatMap((m) => {
          const dir = join(members, m);
          const logDir = join(dir, 'log');
          const files = [
            join(dir, 'patroni.log'),
            join(dir, 'target-recovery.log'),
            ...(existsSync(logDir) ? readdirSync(logDir).map((f) => join(logDir, f)) : []),
          ].filter((f) => existsSync(f));
          return files.map(
            (f) => `--- ${f}\n${readFileSync(f, 'utf8').trim().split('\n').slice(-25).join('\n')}`,
          );
        })
        .join('\n');
    };

    /** site-a's clock (it stamps the commits) as ISO 8601 UTC, microseconds kept. */
    const aNow = async (): Promise<string> =>
      (await query<{ at: string }>(await leaderUri(state.dir, 'site-a'), `select ${NOW_ISO} as at`))[0]
        ?.at as string;

    /** Commits ids [from, from+100) on site-a, one transaction; returns the time once it is acknowledged. */
    const batch = async (n: number): Promise<string> => {
      const a = await leaderUri(state.dir, 'site-a');
      await query(
        a,
        `insert into marks select g, ${n} from generate_series(${(n - 1) * 100 + 1}, ${n * 100}) g`,
      );
      return aNow();
    };

    /** site-a switches to a new WAL segment and waits until it is in the archive. */
    const archiveAll = async (): Promise<void> => {
      const a = await leaderUri(state.dir, 'site-a');
      const [seg] = await query<{ name: string }>(a, 'select pg_walfile_name(pg_switch_wal()) as name');
      await waitFor(`site-a to archive ${seg?.name}`, async () => {
        const [r] = await query<{ last: string | null }>(
          a,
          'select last_archived_wal as last from pg_stat_archiver',
        );
        return r?.last && r.last >= (seg?.name as string) ? true : undefined;
      });
    };

    const bCount = async (): Promise<number> =>
      Number(
        (
          await query<{ n: string }>(
            await leaderUri(state.dir, 'site-b'),
            'select count(*)::text as n from marks',
          )
        )[0]?.n,
      );

    let time = '';
    let aTimeline = 0;

    test('GIVEN a delayed replica cluster of site-a via archive WHEN it is created THEN both members run and the delay is on once they do', async () => {
      const t0 = Date.now();
      const out = await run(['up', '-f', bSpec()]);
      assert.equal(out.code, 0, out.stderr);
      assert.match(
        out.stderr,
        /a read-only replica cluster of site-a \(via archive\), standby leader site-b-\d, 1 replica/,
      );
      console.log(`site-b (2 members, delayed 1h) created in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      const s = await statusOf(state.dir, 'site-b');
      assert.equal(s.members.filter((m) => m.role === 'standby-leader').length, 1, JSON.stringify(s.members));
      assert.equal(s.members.filter((m) => m.role === 'replica').length, 1, JSON.stringify(s.members));
      const [delay] = await query<{ d: string }>(
        await leaderUri(state.dir, 'site-b'),
        "select current_setting('recovery_min_apply_delay') as d",
      );
      assert.equal(delay?.d, '1h', 'the standby leader replays an hour late');
      aTimeline = (await statusOf(state.dir, 'site-a')).members[0]?.timeline as number;
    });

    test('GIVEN three batches committed on site-a WHEN they are archived THEN the delay holds them back on site-b', async () => {
      const replayLsn = async (): Promise<string> =>
        (
          await query<{ lsn: string }>(
            await leaderUri(state.dir, 'site-b'),
            'select pg_last_wal_replay_lsn()::text as lsn',
          )
        )[0]?.lsn as string;
      const lsnOf = (lsn: string) => {
        const [hi, lo] = lsn.split('/');
        return BigInt(`0x${hi}`) * 2n ** 32n + BigInt(`0x${lo}`);
      };
      const startedAt = await replayLsn();
      await batch(1);
      const [afterFirst] = await query<{ lsn: string }>(
        await leaderUri(state.dir, 'site-a'),
        'select pg_current_wal_lsn()::text as lsn',
      );
      await batch(2);
      await new Promise((r) => setTimeout(r, 1000));
      time = await aNow();
      await new Promise((r) => setTimeout(r, 1000));
      await batch(3); // the mistake to leave out
      await archiveAll();
      console.log(`target ${time}; batches 1-2 before it, batch 3 after it, all archived by ${await aNow()}`);
      // site-b restores the segment and replays it up to the first commit, which it holds for an hour.
      await waitFor(
        'site-b to restore the archived segment',
        async () => (lsnOf(await replayLsn()) > lsnOf(startedAt) ? true : undefined),
        60_000,
      );
      await new Promise((r) => setTimeout(r, 2000));
      const held = await replayLsn();
      assert.ok(
        lsnOf(held) < lsnOf(afterFirst?.lsn as string),
        `site-b's replay (${held}) waits before the first batch's commit (site-a at ${afterFirst?.lsn} after it)`,
      );
      assert.equal(await bCount(), 0, "the delay holds site-a's batches back on site-b");
    });

    test('GIVEN targets site-b cannot reach WHEN up THEN each is refused before anything changes, naming the time', async () => {
      const cases: Array<{ time: string; says: RegExp }> = [
        { time: new Date(Date.now() + 3_600_000).toISOString(), says: /is in the future \(now / },
        { time: beforeBackup, says: /is before what site-b has already replayed, .*replay cannot go back/ },
      ];
      for (const c of cases) {
        const out = await run(['up', '-f', bSpec({ primary: 'site-b', target: { time: c.time } })]);
        assert.equal(out.code, 2, out.stderr);
        assert.match(out.stderr, /replica\.target\.time: /);
        assert.match(out.stderr, c.says);
        assert.ok(out.stderr.includes(c.time), out.stderr);
      }
      // After the last archived segment: site-a answers, and has archived nothing since.
      await new Promise((r) => setTimeout(r, 500));
      const late = await aNow();
      const out = await run(['up', '-f', bSpec({ primary: 'site-b', target: { time: late } })]);
      assert.equal(out.code, 2, out.stderr);
      assert.match(out.stderr, /is after the last WAL segment site-a archived \(/);
      const s = await statusOf(state.dir, 'site-b');
      assert.equal(s.replica?.readOnly, true, 'site-b is still a replica cluster');
      assert.equal(await bCount(), 0, 'nothing replayed');
    });

    test('GIVEN site-b delayed WHEN promoted to a time between batches 2 and 3 THEN it has exactly batches 1-2, takes writes, its replica follows, and site-a is untouched', async () => {
      const t0 = Date.now();
      const out = await run(['up', '-f', bSpec({ primary: 'site-b', target: { time } })]);
      assert.equal(out.code, 0, `${out.stderr}\n${logTails('site-b')}`);
      console.log(`site-b promoted to ${time} in ${((Date.now() - t0) / 1000).toFixed(1)} s:\n${out.stderr}`);
      assert.match(
        out.stderr,
        new RegExp(
          `promotion of site-b to ${time.replace(/[.]/g, '[.]')}: its standby leader site-b-\\d has replayed up to [0-9A-F]+/[0-9A-F]+, its last replayed commit`,
        ),
      );
      assert.match(out.stderr, /site-a's commits after .* are left out; site-a itself is not touched/);
      assert.match(
        out.stderr,
        new RegExp(`site-b-\\d reached ${time.replace(/[.]/g, '[.]')} and promoted itself`),
      );
      const s = await statusOf(state.dir, 'site-b');
      assert.equal(s.replica?.readOnly, false, JSON.stringify(s.replica));
      assert.match(out.stderr, /site-b-\d restarted by Patroni in [\d.]+ s \(supervised again\)/);
      console.log(
        `timelines: site-a ${aTimeline}, site-b ${JSON.stringify(s.members.map((m) => [m.name, m.role, m.timeline]))}`,
      );
      const b = await leaderUri(state.dir, 'site-b');
      const rows = await query<{ batch: number; n: string; min: number; max: number }>(
        b,
        'select batch, count(*)::text as n, min(id) as min, max(id) as max from marks group by batch order by batch',
      );
      assert.deepEqual(
        rows.map((r) => ({ ...r })),
        [
          { batch: 1, n: '100', min: 1, max: 100 },
          { batch: 2, n: '100', min: 101, max: 200 },
        ],
        'the commits before the time, none after',
      );
      await query(b, 'insert into marks values (1000, 0)');
      const [{ ro } = { ro: '' }] = await query<{ ro: string }>(
        b,
        "select current_setting('transaction_read_only') as ro",
      );
      assert.equal(ro, 'off');
      // Its other member follows the new primary (on the new timeline) and has the new row.
      await waitFor(
        "site-b's replica to stream from the new primary",
        async () => {
          const now = await statusOf(state.dir, 'site-b');
          const primary = now.members.find((m) => m.role === 'primary');
          const replica = now.members.find((m) => m.role === 'replica');
          return primary && replica?.state === 'streaming' && replica.timeline === primary.timeline
            ? true
            : undefined;
        },
        120_000,
      );
      const uris = await memberUris(state.dir, 'site-b');
      for (const uri of uris)
        await waitFor(
          `${uri.replace(/:[^:@]*@/, ':***@')} to have the write`,
          async () => ((await idsOn(uri, 'marks')).has(1000) ? true : undefined),
          60_000,
        );
      for (const uri of uris) assert.equal((await idsOn(uri, 'marks')).size, 201);

      // site-a: still the primary on its own timeline, every batch there, and it takes writes.
      const a = await statusOf(state.dir, 'site-a');
      assert.equal(a.members[0]?.role, 'primary');
      assert.equal(a.members[0]?.timeline, aTimeline);
      const aUri = await leaderUri(state.dir, 'site-a');
      const ids = await idsOn(aUri, 'marks');
      assert.equal(ids.size, 300);
      assert.equal(ids.has(1000), false, "site-b's write is site-b's own");
      await query(aUri, 'insert into marks values (2000, 0)');
      const again = await run(['up', '-f', bSpec({ primary: 'site-b', target: { time } })]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /nothing to change|ready in/);
      assert.ok(!/promotion of site-b/.test(again.stderr), again.stderr);
    });
  },
);
