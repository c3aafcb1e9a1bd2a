/**
 * A replica cluster of an external primary (replica.source.host) on platform.local: site-a is a
 * pgcluster cluster in another state dir, treated as external (site-b reads nothing of its state:
 * only its address, its CA file and the passwords given by reference). The role site-b streams as
 * is the user's to create on the source (pgcluster does not log in to an external source as its
 * superuser, and site-b holds no superuser password at all): without it up refuses, naming the field; with it site-b follows site-a by streaming
 * (verify-full with the given CA, the source's pg_stat_replication shows the role), its replicas
 * cascade, it is read-only, and `replica.primary: site-b` with `force` promotes it, and it takes
 * writes. Ports 28200-28260 (site-a) and 28300-28360 (site-b).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempStateDir } from '../helpers/cli';
import { query, statusOf, waitFor } from '../helpers/pg';
import { writeSpec } from '../helpers/spec-file';
import { leaderUri, memberUris, tableChecksum } from '../helpers/replica';

const A = { name: 'site-a', basePort: 28200 };
const B = { name: 'site-b', basePort: 28300 };
const FEED = 'site_b_feed';
const FEED_PASSWORD = 'feed-password-of-the-test-7Qx';

describe('replica clusters: an external source on platform.local', { timeout: 900_000 }, () => {
  const source = tempStateDir('replica-ext-a');
  const here = tempStateDir('replica-ext-b');
  const env = { FEED_PW: FEED_PASSWORD };

  const specOfB = (primary?: string, force = false) =>
    writeSpec(
      here.dir,
      {
        name: B.name,
        instances: 2,
        platform: { local: { basePort: B.basePort } },
        tls: { clientAuth: { replication: 'password' } },
        replica: {
          source: {
            host: '127.0.0.1',
            port: A.basePort + 11,
            user: FEED,
            password: { fromEnv: 'FEED_PW' },
            sslMode: 'verify-full',
            caFile: join(source.dir, A.name, 'tls', 'ca.crt'),
          },
          ...(primary ? { primary } : {}),
          ...(force ? { force } : {}),
        },
      },
      'site-b.yaml',
    );

  before(async () => {
    const a = writeSpec(
      source.dir,
      {
        name: A.name,
        instances: 1,
        platform: { local: { basePort: A.basePort } },
        // The source's own rule for the role it gives site-b (a user line: after pgcluster's own).
        pgHba: [`hostssl replication ${FEED} 127.0.0.0/8 scram-sha-256`],
      },
      'site-a.yaml',
    );
    const out = await cli(source.dir, ['up', '-f', a]);
    assert.equal(out.code, 0, out.stderr);
    await query(
      await leaderUri(source.dir, A.name),
      'create table facts as select generate_series(1, 1000) as id',
    );
  });

  after(async () => {
    await cli(here.dir, ['destroy', B.name], undefined, env);
    await cli(source.dir, ['destroy', A.name]);
    here.cleanup();
    source.cleanup();
  });

  test('GIVEN no role for site-b on the external source WHEN up of site-b THEN it refuses, naming the field and what to create, and starts nothing', async () => {
    const out = await cli(here.dir, ['up', '-f', specOfB()], undefined, env);
    assert.equal(out.code, 2, out.stderr);
    assert.match(
      out.stderr,
      new RegExp(
        `replica\\.source\\.password: 127\\.0\\.0\\.1:${A.basePort + 11} refused the password of "${FEED}" for replication .*CREATE ROLE ${FEED} WITH LOGIN REPLICATION.*nothing was started`,
      ),
    );
    assert.doesNotMatch(out.stderr + out.stdout, new RegExp(FEED_PASSWORD));
    assert.equal((await cli(here.dir, ['list'])).stdout.includes(B.name), false);
  });

  test('GIVEN the role created on the source WHEN up of site-b THEN it streams from site-a as that role over verify-full TLS, its replicas cascade, and it is read-only', async () => {
    const a = await leaderUri(source.dir, A.name);
    await query(a, `create role ${FEED} with login replication password '${FEED_PASSWORD}'`);
    const out = await cli(here.dir, ['up', '-f', specOfB()], undefined, env);
    assert.equal(out.code, 0, out.stderr);
    assert.doesNotMatch(out.stderr + out.stdout, new RegExp(FEED_PASSWORD));
    const s = await statusOf(here.dir, B.name);
    assert.equal(s.primary, null);
    assert.equal(s.members.filter((m) => m.role === 'standby-leader').length, 1, JSON.stringify(s.members));
    assert.equal(s.members.filter((m) => m.role === 'replica' && m.state === 'streaming').length, 1);
    const [sender] = await query<{ usename: string; ssl: boolean }>(
      a,
      `select r.usename, s.ssl from pg_stat_replication r join pg_stat_ssl s using (pid) where r.application_name like 'site-b-%'`,
    );
    assert.deepEqual(sender, { usename: FEED, ssl: true });
    await query(a, 'insert into facts select generate_series(1001, 1500)');
    const b = await leaderUri(here.dir, B.name);
    await waitFor('site-b to stream the rows', async () =>
      (await tableChecksum(b, 'facts')).n === '1500' ? true : undefined,
    );
    assert.deepEqual(await tableChecksum(b, 'facts'), await tableChecksum(a, 'facts'));
    for (const uri of await memberUris(here.dir, B.name))
      await assert.rejects(query(uri, 'insert into facts values (0)'), /read-only transaction/);
    // The password reaches Patroni through its 0600 files only, never a process argument.
    const withIt = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(join('/proc', p, 'cmdline'), 'utf8').includes(FEED_PASSWORD);
        } catch {
          return false;
        }
      });
    assert.deepEqual(withIt, [], 'no process has the replication password in its arguments');
    // No superuser password crosses: site-b has none (its members, up and the CLI log in over the
    // sockets by peer), and the source's is nowhere in its state dir, data directories included.
    const mine = JSON.parse(readFileSync(join(here.dir, B.name, 'secrets.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.equal(mine.superuserPassword, undefined);
    const theirs = (
      JSON.parse(readFileSync(join(source.dir, A.name, 'secrets.json'), 'utf8')) as {
        superuserPassword: string;
      }
    ).superuserPassword;
    const grep = spawnSync('grep', ['-rlF', theirs, join(here.dir, B.name)], { encoding: 'utf8' });
    assert.equal(grep.status, 1, `the source's superuser password is in ${grep.stdout}`);
  });

  test('GIVEN site-b following the external source WHEN its spec names it the primary with force THEN up promotes it and it takes writes', async () => {
    const refused = await cli(here.dir, ['up', '-f', specOfB(B.name)], undefined, env);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /the source 127\.0\.0\.1 is not managed here.*Set replica.force: true/s);
    const out = await cli(here.dir, ['up', '-f', specOfB(B.name, true)], undefined, env);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /unplanned promotion of site-b \(replica.force\)/);
    const s = await statusOf(here.dir, B.name);
    assert.ok(s.primary, JSON.stringify(s.members));
    const b = await leaderUri(here.dir, B.name);
    await query(b, 'insert into facts select generate_series(2001, 2100)');
    assert.equal((await tableChecksum(b, 'facts')).n, '1600');
  });
});
