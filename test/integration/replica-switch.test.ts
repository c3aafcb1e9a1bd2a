/**
 * Replica clusters on one host (loopback): site-a's 3-member primary cluster and site-b's 3-member
 * replica cluster streaming from it, one group (replica.primary). Under writes that follow whichever
 * cluster is writable, a planned switch a -> b and the fail-back b -> a lose no acknowledged write,
 * the old primary cluster follows the new one on its own data directory (no re-clone), and the
 * table checksums agree after each step. Unplanned: with site-a gone and site-b's source-watch
 * record removed, up refuses to promote site-b without replica.force (RPO unknown), and promotes
 * it with force. Ports 24300-24460.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cli, tempStateDir } from '../helpers/cli';
import { query, statusOf, uriOf, waitFor } from '../helpers/pg';
import { readSecrets } from '../../provider/platform/local/state';
import { SequentialWriter } from '../helpers/writer';
import { writeSpec } from '../helpers/spec-file';
import { roleVerifier } from '../../provider/secrets/scram';
import {
  groupSpec,
  groupUri,
  idsOn,
  leaderUri,
  memberUris,
  systemIdentifier,
  tableChecksum,
  up,
  type Site,
} from '../helpers/replica';

const A: Site = { name: 'site-a', basePort: 24300 };
const B: Site = { name: 'site-b', basePort: 24400 };
const TABLE = 'ledger';

/** Inodes of each member's PG_VERSION: a re-clone writes new files. */
function dataInodes(stateDir: string, name: string): number[] {
  return [1, 2, 3].map(
    (n) => statSync(join(stateDir, name, 'members', `${name}-${n}`, 'data', 'PG_VERSION')).ino,
  );
}

/** Who streams from the cluster's leader: `usename client_dn` per walsender, sorted. */
async function streamers(name: string): Promise<string[]> {
  const rows = await query<{ who: string }>(
    await leaderUri(state.dir, name),
    `select r.usename || ' ' || coalesce(s.client_dn, '-') as who
       from pg_stat_replication r join pg_stat_ssl s using (pid) order by 1`,
  );
  return rows.map((r) => r.who);
}

let state: ReturnType<typeof tempStateDir>;

async function sameData(stateDir: string, tables: string[] = [TABLE]): Promise<void> {
  const a = await leaderUri(stateDir, A.name);
  const b = await leaderUri(stateDir, B.name);
  for (const table of tables)
    await waitFor(`both sides to hold the same rows of ${table}`, async () => {
      const [x, y] = [await tableChecksum(a, table), await tableChecksum(b, table)];
      return x.md5 === y.md5 && x.n === y.n ? true : undefined;
    });
}

describe('replica clusters: planned switch and fail-back on one host', { timeout: 900_000 }, () => {
  state = tempStateDir('replica');
  let identity = '';
  let inodesA: number[] = [];

  before(async () => {
    const out = await up(state.dir, A, groupSpec(state.dir, A, B, A.name));
    assert.equal(out.code, 0, out.stderr);
    await query(await leaderUri(state.dir, A.name), `create table ${TABLE} (id int primary key)`);
    await query(await leaderUri(state.dir, A.name), `insert into ${TABLE} select generate_series(-5000, -1)`);
  });

  after(async () => {
    await cli(state.dir, ['destroy', B.name]);
    await cli(state.dir, ['destroy', A.name]);
    state.cleanup();
  });

  test('GIVEN site-a with data WHEN up of site-b as its replica cluster THEN site-b is a read-only standby cluster that follows site-a', async () => {
    const out = await up(state.dir, B, groupSpec(state.dir, B, A, A.name));
    assert.equal(out.code, 0, out.stderr);
    assert.match(
      out.stderr,
      /a read-only replica cluster of site-a \(via streaming\), standby leader site-b-\d, 2 replica\(s\) cascading/,
    );
    const s = await statusOf(state.dir, B.name);
    assert.equal(s.primary, null);
    assert.equal(s.members.filter((m) => m.role === 'standby-leader').length, 1, JSON.stringify(s.members));
    assert.equal(s.members.filter((m) => m.role === 'replica' && m.state === 'streaming').length, 2);
    assert.equal(s.replica?.readOnly, true);
    assert.equal(s.replica?.source, A.name);
    const table = await cli(state.dir, ['status', B.name]);
    assert.match(table.stdout, /^Cluster site-b: replica cluster of site-a \(read-only, via streaming\)/m);
    await query(await leaderUri(state.dir, A.name), `insert into ${TABLE} select generate_series(1, 100)`);
    await sameData(state.dir);
    for (const uri of await memberUris(state.dir, B.name))
      await assert.rejects(query(uri, `insert into ${TABLE} values (0)`), /read-only transaction/);
    identity = await systemIdentifier(await leaderUri(state.dir, A.name));
    assert.equal(await systemIdentifier(await leaderUri(state.dir, B.name)), identity);
    inodesA = dataInodes(state.dir, A.name);
    // The cross-site link: site-b's standby leader streams from site-a as site-b's own role, with its
    // own client certificate; site-a's replicas as site-a's; site-b's replicas cascade as site-b's.
    assert.match(out.stderr, /created the replication role site_b_replication of site-b on site-a/);
    const expected = [
      'site_a_replication /CN=site_a_replication',
      'site_a_replication /CN=site_a_replication',
      'site_b_replication /CN=site_b_replication',
    ];
    await waitFor("site-a's walsenders", async () =>
      JSON.stringify(await streamers(A.name)) === JSON.stringify(expected) ? true : undefined,
    ).catch(async () => assert.deepEqual(await streamers(A.name), expected));
    assert.deepEqual(await streamers(B.name), [
      'site_b_replication /CN=site_b_replication',
      'site_b_replication /CN=site_b_replication',
    ]);
    // site-b's state holds its own replication secret, not site-a's; site-a stores only its verifier.
    const secretsOf = (name: string) => {
      const file = join(state.dir, name, 'secrets.json');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      return JSON.parse(readFileSync(file, 'utf8')) as { replicationPassword: string };
    };
    const [mine, theirs] = [secretsOf(B.name), secretsOf(A.name)];
    assert.notEqual(mine.replicationPassword, theirs.replicationPassword);
    const [role] = await query<{ rolpassword: string; rolreplication: boolean }>(
      await leaderUri(state.dir, A.name),
      `select rolpassword, rolreplication from pg_authid where rolname = 'site_b_replication'`,
    );
    assert.equal(role?.rolreplication, true);
    assert.equal(role?.rolpassword, roleVerifier('site_b_replication', mine.replicationPassword));
  });

  test("GIVEN site-b WHEN its state dir is searched THEN site-a's superuser password is nowhere in it: its superuser logs in over the sockets by peer", async () => {
    const source = readSecrets(join(state.dir, A.name, 'secrets.json'));
    const password = source?.superuserPassword ?? '';
    assert.ok(password.length >= 20, "site-a's own superuser password");
    const mine = readSecrets(join(state.dir, B.name, 'secrets.json'));
    assert.equal(
      mine !== undefined && 'superuserPassword' in mine,
      false,
      JSON.stringify(Object.keys(mine ?? {})),
    );
    // Every file, the data directories included (grep exits 1 when nothing matches).
    const grep = spawnSync('grep', ['-rlF', '--', password, join(state.dir, B.name)], { encoding: 'utf8' });
    assert.equal(grep.status, 1, `found in: ${grep.stdout}${grep.stderr}`);
    // The superuser's URI of site-b is over its members' sockets, with no password.
    const uri = await uriOf(state.dir, B.name, '--superuser');
    assert.match(uri, /^postgresql:\/\/postgres@\/postgres\?host=\/[^&]+\/run,/);
    const [leader] = await query<{ rules: string; idents: string }>(
      await leaderUri(state.dir, B.name),
      `select (select string_agg(type || ' ' || array_to_string(user_name, ',') || ' ' || auth_method || ' ' || coalesce(array_to_string(options, ','), ''), '; ' order by line_number)
                 from pg_hba_file_rules where type = 'local') as rules,
              (select string_agg(map_name || ' ' || sys_name || ' ' || pg_username, '; ' order by line_number)
                 from pg_ident_file_mappings) as idents`,
    );
    assert.match(leader?.rules ?? '', /^local postgres peer map=pgcluster;/);
    assert.equal(leader?.idents, 'pgcluster postgres postgres; pgcluster root postgres');
  });

  test('GIVEN the replica cluster WHEN its spec declares roles THEN up refuses at once: they come from the source', async () => {
    const file = writeSpec(
      state.dir,
      {
        name: B.name,
        platform: { local: { basePort: B.basePort } },
        replica: { primary: A.name, source: { cluster: A.name } },
        roles: [{ name: 'shop', login: true }],
      },
      'with-roles.yaml',
    );
    const out = await cli(state.dir, ['up', '-f', file]);
    assert.equal(out.code, 2, out.stderr);
    assert.match(
      out.stderr,
      /roles: cannot be declared on a replica cluster \(read-only\): roles come from the source \(site-a\)/,
    );
  });

  async function switchUnderWrites(from: Site, to: Site, drive: Site): Promise<void> {
    // A table of its own: the writer numbers its writes from 1.
    const table = `writes_${from.name}_${to.name}`.replace(/-/g, '_');
    await query(await leaderUri(state.dir, from.name), `create table ${table} (id int primary key)`);
    const writer = new SequentialWriter(await groupUri(state.dir, [A.name, B.name]), table, 10);
    writer.start();
    await writer.waitForAcks(50);
    // The up of `drive`, whose spec names the new primary cluster, carries out the whole switch.
    const other = drive === A ? B : A;
    const upStarted = Date.now();
    const out = await up(state.dir, drive, groupSpec(state.dir, drive, other, to.name));
    const upEnded = Date.now();
    assert.equal(out.code, 0, out.stderr);
    assert.match(
      out.stderr,
      new RegExp(
        `demoted ${from.name} to a replica cluster of ${to.name} in [\\d.]+ s: its WAL ends at [0-9A-F]+/[0-9A-F]+ \\(timeline \\d+\\)`,
      ),
    );
    assert.match(out.stderr, new RegExp(`promoted ${to.name} \\(${to.name}-\\d, timeline \\d+\\)`));
    assert.match(out.stderr, new RegExp(`${from.name} follows ${to.name}`));
    // The demoted cluster's standby leader streams from the new primary as its own dedicated role.
    const role = `${from.name.replace('-', '_')}_replication`;
    await waitFor(`${from.name} to stream from ${to.name} as ${role}`, async () =>
      (await streamers(to.name)).includes(`${role} /CN=${role}`) ? true : undefined,
    );
    await writer.waitForAcks(50);
    const report = await writer.stop();
    const present = await idsOn(await leaderUri(state.dir, to.name), table);
    const lost = report.acknowledged.filter((id) => !present.has(id));
    assert.deepEqual(lost, [], `${lost.length} acknowledged write(s) lost`);
    // The longest time between two acknowledged writes once writes flowed: the switch's write outage.
    const gaps = report.ackTimes.slice(1).map((t, i) => t - (report.ackTimes[i] as number));
    const outage = Math.max(...gaps);
    const gapEnd = report.ackTimes[gaps.indexOf(outage) + 1] as number;
    const during = report.errors
      .filter((e) => e.at > gapEnd - outage && e.at <= gapEnd)
      .map((e) => `+${e.at - (gapEnd - outage)} ms ${e.message}`);
    console.log(
      `switch ${from.name} -> ${to.name}: writes failed for ${outage} ms, ${lost.length} lost; up took ${upEnded - upStarted} ms`,
    );
    // A liveness bound on a shared, loaded machine; bench/replica.bench.ts measures the window itself.
    assert.ok(
      outage < 30_000,
      `no writable primary for ${outage} ms (up took ${upEnded - upStarted} ms):\n${out.stderr}\n${[...new Set(during)].join('\n')}`,
    );
    const demoted = await statusOf(state.dir, from.name);
    assert.equal(demoted.replica?.readOnly, true);
    assert.equal(demoted.replica?.demotion?.to, to.name);
    const promoted = await statusOf(state.dir, to.name);
    assert.ok(promoted.primary, 'the new primary cluster has a primary');
    assert.equal(promoted.replica?.readOnly, false);
    // The other cluster's spec, not updated yet, still names the old primary: up refuses to undo the switch.
    const stale = await up(state.dir, other, groupSpec(state.dir, other, drive, from.name));
    assert.equal(stale.code, 2, stale.stderr);
    assert.match(stale.stderr, new RegExp(`set replica.primary: ${to.name} in this spec too`));
    await up(state.dir, other, groupSpec(state.dir, other, drive, to.name)).then((o) =>
      assert.equal(o.code, 0, `the other cluster's up with the same primary changes nothing: ${o.stderr}`),
    );
    await sameData(state.dir, [TABLE, table]);
    assert.equal(await systemIdentifier(await leaderUri(state.dir, A.name)), identity);
    assert.equal(await systemIdentifier(await leaderUri(state.dir, B.name)), identity);
    assert.deepEqual(dataInodes(state.dir, A.name), inodesA, "site-a's data directories were not re-cloned");
  }

  test('GIVEN writes WHEN both specs name site-b the primary and site-b is up THEN site-a is demoted, site-b promoted, site-a follows it, and no acknowledged write is lost', async () => {
    await switchUnderWrites(A, B, B);
  });

  test('GIVEN writes WHEN both specs name site-a again and site-a is up THEN the fail-back works the same', async () => {
    await switchUnderWrites(B, A, A);
  });

  test('GIVEN site-a gone and no record of where its WAL ended WHEN up of site-b names it the primary THEN it is refused (RPO unknown), and promoted with replica.force', async () => {
    const down = await cli(state.dir, ['down', A.name]);
    assert.equal(down.code, 0, down.stderr);
    const members = join(state.dir, B.name, 'members');
    const records = () =>
      readdirSync(members)
        .map((m) => join(members, m, 'source-position.json'))
        .filter((f) => existsSync(f));
    // The standby leader's source watch notes the silence once; without its record the RPO is unknown.
    await waitFor("site-b's source watch to find site-a silent", async () =>
      records().some((f) => JSON.parse(readFileSync(f, 'utf8')).silentFrom !== null) ? true : undefined,
    );
    for (const f of records()) rmSync(f);
    const refused = await up(state.dir, B, groupSpec(state.dir, B, A, B.name));
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /site-b cannot be promoted safely: site-a answers no more .*no record of where its WAL ended.*the RPO\) is unknown.*Set replica.force: true/s,
    );
    assert.equal((await statusOf(state.dir, B.name)).replica?.readOnly, true, 'still a replica cluster');
    const forced = await up(state.dir, B, groupSpec(state.dir, B, A, B.name, {}, true));
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(
      forced.stderr,
      /unplanned promotion of site-b \(replica.force\): .*RPO unknown, it had replayed up to/,
    );
    assert.equal((await statusOf(state.dir, B.name)).replica?.readOnly, false);
    await query(await leaderUri(state.dir, B.name), `insert into ${TABLE} values (100000)`);
  });
});
