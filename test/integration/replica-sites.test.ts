/**
 * Replica clusters across two sites: each site its own network namespace and address (10.246.1.1,
 * 10.246.1.2), each cluster's CLI and daemons inside its site, every connection between them through
 * a relay adding 15 ms each way (30 ms round trip; helpers/link-delay.ts: this kernel has no netem).
 * Site A runs a 3-member primary cluster, site B a 3-member replica cluster streaming from it.
 * Under writes through the sites' poolers: B follows; a planned switch A -> B loses no acknowledged
 * write; A follows B on its own data directories; the fail-back B -> A works the same; the table
 * checksums agree after each step. Then site A is killed whole under writes: up of B reports the RPO
 * from its source watch's record (site A last heard, silent since, the last commit B has) and the
 * writes actually missing on B are exactly those after that point; without the record it refuses
 * (RPO unknown) unless replica.force. Ports 24500-24660 in the namespaces;
 * the relay's API on 127.0.0.1:24990, its relays on 10.246.1.254:25400-25437.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempStateDir } from '../helpers/cli';
import { query, sleep, statusOf, uriOf, waitFor } from '../helpers/pg';
import { SequentialWriter } from '../helpers/writer';
import {
  BRIDGE_HOST,
  cliIn,
  connectMs,
  createSites,
  killSite,
  removeSites,
  SITE_A,
  SITE_B,
} from '../helpers/netns';
import {
  delayLink,
  postgresRoundTripMs,
  sitePorts,
  stallReplies,
  type DelayedLink,
} from '../helpers/link-delay';
import {
  groupSpec,
  idsOn,
  leaderUri,
  systemIdentifier,
  tableChecksum,
  up,
  type Site,
} from '../helpers/replica';

const state = tempStateDir('replica-sites');
const A: Site = {
  name: 'site-a',
  basePort: 24500,
  host: SITE_A.address,
  run: (args) => cliIn(SITE_A, state.dir, args),
};
const B: Site = {
  name: 'site-b',
  basePort: 24600,
  host: SITE_B.address,
  run: (args) => cliIn(SITE_B, state.dir, args),
};
const TABLE = 'ledger';

function dataInodes(name: string): number[] {
  return [1, 2, 3].map(
    (n) => statSync(join(state.dir, name, 'members', `${name}-${n}`, 'data', 'PG_VERSION')).ino,
  );
}

async function checksumsAgree(tables: string[]): Promise<void> {
  const a = await leaderUri(state.dir, A.name, 'app');
  const b = await leaderUri(state.dir, B.name, 'app');
  for (const table of tables)
    await waitFor(`both sites to hold the same rows of ${table}`, async () => {
      const [x, y] = [await tableChecksum(a, table), await tableChecksum(b, table)];
      return x.md5 === y.md5 && x.n === y.n ? true : undefined;
    });
}

/** A multi-host URI over both sites' poolers: writes follow whichever site's cluster is writable. */
async function poolersUri(): Promise<string> {
  const a = await uriOf(state.dir, A.name, '--pooler');
  const b = await uriOf(state.dir, B.name, '--pooler');
  const host = (u: string) => (/@([^/]+)\//.exec(u) as RegExpExecArray)[1];
  return a.replace(/@[^/]+\//, `@${host(a)},${host(b)}/`);
}

describe('replica clusters across two sites (network namespaces)', { timeout: 1_200_000 }, () => {
  let identity = '';
  let inodesA: number[] = [];
  let link: DelayedLink | undefined;

  before(async () => {
    createSites();
    link = await delayLink(
      [
        [SITE_B, SITE_A, sitePorts(A.basePort)],
        [SITE_A, SITE_B, sitePorts(B.basePort)],
      ],
      24990,
      25400,
    );
    const out = await up(state.dir, A, groupSpec(state.dir, A, B, A.name));
    assert.equal(out.code, 0, out.stderr);
    const app = await leaderUri(state.dir, A.name, 'app');
    await query(app, `create table ${TABLE} (id int primary key)`);
    await query(app, `insert into ${TABLE} select generate_series(-5000, -1)`);
  });

  after(async () => {
    await B.run!(['destroy', B.name]);
    await A.run!(['destroy', A.name]);
    link?.stop();
    removeSites();
    state.cleanup();
  });

  test("GIVEN the two sites WHEN B connects to A THEN A's address answers across the 30 ms link and A's loopback is not B's", () => {
    assert.ok(connectMs(SITE_B, SITE_A.address, A.basePort) < 1000, "A's pooler answers on its address");
    assert.throws(() => connectMs(SITE_B, '127.0.0.1', A.basePort), /ECONNREFUSED/, "B's loopback has no A");
    const port = A.basePort + 11;
    const across = postgresRoundTripMs(SITE_B, SITE_A.address, port);
    const inside = postgresRoundTripMs(SITE_A, SITE_A.address, port);
    console.log(
      `round trip to ${SITE_A.address}:${port}: ${across} ms from site B, ${inside} ms inside site A`,
    );
    assert.ok(across >= 30 && across < 200, `round trip across the sites ${across} ms, not 30 ms more`);
    assert.ok(inside < 15, `round trip inside site A ${inside} ms`);
  });

  test("GIVEN site A's primary cluster WHEN up of site B as its replica cluster THEN B streams from A across the link and follows it", async () => {
    const out = await up(state.dir, B, groupSpec(state.dir, B, A, A.name));
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /a read-only replica cluster of site-a \(via streaming\)/);
    const s = await statusOf(state.dir, B.name);
    assert.equal(s.replica?.readOnly, true);
    assert.ok(
      s.members.every((m) => m.host === SITE_B.address),
      JSON.stringify(s.members),
    );
    const [sender] = await query<{
      client_addr: string;
      usename: string;
      ssl: boolean;
      client_dn: string | null;
    }>(
      await leaderUri(state.dir, A.name),
      "select host(r.client_addr) as client_addr, r.usename, s.ssl, s.client_dn from pg_stat_replication r join pg_stat_ssl s using (pid) where r.application_name like 'site-b-%'",
    );
    // Connections across the link come through the delaying relay on the bridge address.
    assert.equal(sender?.client_addr, BRIDGE_HOST, "B's standby leader streams from A over the link");
    // TLS between the sites (the default): B verified A's server certificate (verify-full, the CA
    // the group shares) and logged in as its own replication role, with that role's client certificate.
    assert.equal(sender?.ssl, true, 'the stream across the sites is TLS');
    assert.equal(sender?.usename, 'site_b_replication');
    assert.equal(sender?.client_dn, '/CN=site_b_replication');
    await query(
      await leaderUri(state.dir, A.name, 'app'),
      `insert into ${TABLE} select generate_series(1, 100)`,
    );
    await checksumsAgree([TABLE]);
    identity = await systemIdentifier(await leaderUri(state.dir, A.name));
    inodesA = dataInodes(A.name);
  });

  async function switchUnderWrites(from: Site, to: Site): Promise<void> {
    const table = `writes_${from.name}_${to.name}`.replace(/-/g, '_');
    const owner = await leaderUri(state.dir, from.name, 'app');
    await query(owner, `create table ${table} (id int primary key)`);
    // The writer is the application owner, through the poolers.
    await query(owner, `grant select, insert on ${table} to app`);
    const writer = new SequentialWriter(await poolersUri(), table, 10);
    writer.start();
    await writer.waitForAcks(50);
    const out = await up(state.dir, to, groupSpec(state.dir, to, from, to.name));
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, new RegExp(`demoted ${from.name} to a replica cluster of ${to.name}`));
    assert.match(out.stderr, new RegExp(`${from.name} follows ${to.name}`));
    await writer.waitForAcks(50);
    const report = await writer.stop();
    const present = await idsOn(await leaderUri(state.dir, to.name, 'app'), table);
    const lost = report.acknowledged.filter((id) => !present.has(id));
    assert.deepEqual(lost, [], `${lost.length} acknowledged write(s) lost`);
    const gaps = report.ackTimes.slice(1).map((t, i) => t - (report.ackTimes[i] as number));
    console.log(
      `${from.name} -> ${to.name} across the sites: writes failed for ${Math.max(...gaps)} ms, 0 lost, ${report.acknowledged.length} acknowledged`,
    );
    assert.ok(Math.max(...gaps) < 30_000, `writes failed for ${Math.max(...gaps)} ms:\n${out.stderr}`);
    const converge = await up(state.dir, from, groupSpec(state.dir, from, to, to.name));
    assert.equal(converge.code, 0, converge.stderr);
    assert.equal((await statusOf(state.dir, from.name)).replica?.readOnly, true);
    await checksumsAgree([TABLE, table]);
    assert.equal(await systemIdentifier(await leaderUri(state.dir, A.name)), identity);
    assert.equal(await systemIdentifier(await leaderUri(state.dir, B.name)), identity);
    assert.deepEqual(dataInodes(A.name), inodesA, "site A's data directories were not re-cloned");
  }

  test('GIVEN writes through the poolers WHEN both specs name site B the primary THEN A is demoted, B promoted, A follows B, nothing acknowledged is lost', async () => {
    await switchUnderWrites(A, B);
  });

  test('GIVEN writes through the poolers WHEN both specs name site A again THEN the fail-back works the same', async () => {
    await switchUnderWrites(B, A);
  });

  /** The source watch's records in site B's members (the standby leader writes one). */
  function positionFiles(): string[] {
    const members = join(state.dir, B.name, 'members');
    return readdirSync(members)
      .map((m) => join(members, m, 'source-position.json'))
      .filter((f) => existsSync(f));
  }

  test('GIVEN site A killed whole under writes WHEN up of B names it the primary THEN it reports the RPO its source watch recorded, matching the writes missing, and promotes; without a record it refuses unless forced', async () => {
    const table = 'writes_unplanned';
    const owner = await leaderUri(state.dir, A.name, 'app');
    await query(owner, `create table ${table} (id int primary key)`);
    await query(owner, `grant select, insert on ${table} to app`);
    const writer = new SequentialWriter(await uriOf(state.dir, A.name, '--pooler'), table, 5);
    writer.start();
    await writer.waitForAcks(200);
    // The stream from A stalls first (what A's PostgreSQL sends to B is dropped, the connection
    // stays open; A's REST API still answers B's source watch), A acknowledges more writes, then
    // the whole site dies: those writes are lost, and the report must account for them.
    const stalledAt = Date.now();
    await stallReplies(
      link!,
      [1, 2, 3].map((n) => `${SITE_A.address}:${A.basePort + 10 + n}`),
    );
    await writer.waitForAcks(20);
    await sleep(1500);
    const killed = killSite(SITE_A);
    const killedAt = Date.now();
    assert.ok(killed.length > 0, 'site A had processes');
    const report = await writer.stop();
    await waitFor('site B to record that site A went silent', async () =>
      positionFiles().some((f) => JSON.parse(readFileSync(f, 'utf8')).silentFrom !== null) ? true : undefined,
    );

    // Without the record, how far behind B is cannot be known: refused unless forced.
    const files = positionFiles();
    for (const f of files) renameSync(f, `${f}.away`);
    const refused = await up(state.dir, B, groupSpec(state.dir, B, A, B.name));
    for (const f of files) renameSync(`${f}.away`, f);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /site-b cannot be promoted safely: site-a answers no more .*no record of where its WAL ended.*the RPO\) is unknown.*Set replica.force: true/s,
    );
    assert.equal((await statusOf(state.dir, B.name)).replica?.readOnly, true, 'still a replica cluster');

    const promoted = await up(state.dir, B, groupSpec(state.dir, B, A, B.name));
    assert.equal(promoted.code, 0, promoted.stderr);
    const m =
      /unplanned promotion of site-b: site-a was last heard at (\S+) .*answers no more since (\S+);.*its last commit at (\S+)\. RPO: site-a's commits after \S+ are lost, at most ([\d.]+) s of them/s.exec(
        promoted.stderr,
      );
    assert.ok(m, promoted.stderr);
    console.log(promoted.stderr.split('\n').find((l) => l.includes('unplanned promotion')));
    const [heardAt, silentFrom, lostAfter] = [m[1], m[2], m[3]].map((t) => Date.parse(t as string));
    const notReceived = /its WAL at \S+, (\d+) bytes of it not received here/.exec(promoted.stderr);
    assert.ok(
      notReceived && Number(notReceived[1]) > 0,
      `WAL that A wrote after the stall is known missing:\n${promoted.stderr}`,
    );
    const s = await statusOf(state.dir, B.name);
    assert.equal(s.replica?.readOnly, false);
    const present = await idsOn(await leaderUri(state.dir, B.name, 'app'), table);
    const acked = report.acknowledged.map((id, i) => ({ id, at: report.ackTimes[i] as number }));
    const missing = acked.filter((w) => !present.has(w.id));
    assert.ok(
      missing.length >= 20,
      `the writes acknowledged after the stall are missing on B (${missing.length})`,
    );
    console.log(
      `stream stalled at ${new Date(stalledAt).toISOString()}, site A killed at ${new Date(killedAt).toISOString()}: ${acked.length} writes acknowledged, ${missing.length} missing on B (${notReceived[1]} bytes known not received); ` +
        `reported: last heard ${m[1]}, silent since ${m[2]}, commits after ${m[3]} lost (at most ${m[4]} s)`,
    );
    // The report's cut is where the data ends: every write acknowledged before it is on B, every
    // missing one was acknowledged after it and before site A went silent.
    const early = acked.filter((w) => w.at <= (lostAfter as number) && !present.has(w.id));
    assert.deepEqual(early, [], 'writes acknowledged before the reported point are all on B');
    for (const w of missing) {
      assert.ok(
        w.at > (lostAfter as number),
        `missing write ${w.id} acknowledged at ${w.at}, before ${m[3]}`,
      );
      assert.ok(
        w.at <= (silentFrom as number),
        `missing write ${w.id} acknowledged after site A went silent`,
      );
    }
    assert.ok((heardAt as number) <= (silentFrom as number) && (silentFrom as number) - killedAt < 10_000);
    await query(await leaderUri(state.dir, B.name, 'app'), `insert into ${TABLE} values (100000)`);
  });
});
