/**
 * bootstrap.pgBasebackup with real pg_basebackup: an external PostgreSQL 15 holding data is cloned
 * into a 3-member HA cluster that archives to its own path (real pgBackRest, MinIO); every row is
 * there, the source is unchanged, and the source's password is not left on disk. Ports
 * 23500-23560, MinIO 23593, the source on a free port in 26000-26999.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { cli, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { primaryUri, query, statusOf, uriOf } from '../helpers/pg';
import { TestMinio } from '../helpers/minio';
import { startPostgres, type TestServer } from '../helpers/postgres';
import { stanzaInfo } from '../helpers/backup';

const NAME = 'clone';
const BUCKET = 'pgc-clone';
const CLONE_PW = 'cl0ne-source-pw';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  );
}

describe('backup: clone an existing PostgreSQL with pg_basebackup', { timeout: 600_000 }, () => {
  const state = tempStateDir('clone');
  let minio: TestMinio;
  let source: TestServer;
  let env: Record<string, string> = {};

  before(async () => {
    minio = await TestMinio.start(23593);
    await minio.createBucket(BUCKET);
    source = await startPostgres('clone-source', { logStatements: false });
    const c = new Client(source.config);
    await c.connect();
    await c.query(`create role cloner login replication password '${CLONE_PW}'`);
    await c.query('create database shop');
    await c.end();
    const shop = new Client({ ...source.config, database: 'shop' });
    await shop.connect();
    await shop.query(
      'create table orders as select g as id, md5(g::text) as note from generate_series(1, 50000) g',
    );
    await shop.end();
    env = { ...minio.env(), CLONE_PW };
  });

  after(async () => {
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
    await source.stop();
    await minio.destroy();
  });

  test('GIVEN a running PostgreSQL 15 with data WHEN up with bootstrap.pgBasebackup THEN a 3-member cluster holds every row and archives to its own path', async () => {
    const file = writeSpec(state.dir, {
      name: NAME,
      instances: 3,
      platform: { local: { basePort: 23500 } },
      synchronous: { number: 1 },
      bootstrap: {
        pgBasebackup: {
          source: { host: '127.0.0.1', port: source.port, user: 'cloner', password: { fromEnv: 'CLONE_PW' } },
          owner: 'shopkeeper',
          database: 'shop',
        },
      },
      backup: { s3: minio.s3Spec(BUCKET), schedule: {} },
    });
    const out = await cli(state.dir, ['up', '-f', file], undefined, env);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /archive ready: stanza clone in s3:\/\/pgc-clone\/pgcluster\/clone/);
    const status = await statusOf(state.dir, NAME);
    assert.equal(status.members.filter((m) => m.role === 'replica' && m.state === 'streaming').length, 2);
    const su = await primaryUri(await uriOf(state.dir, NAME, '--superuser'));
    const rows = await query<{ n: string; sum: string }>(
      su.replace(/\/postgres$/, '/shop'),
      'select count(*) as n, sum(id)::text as sum from orders',
    );
    assert.deepEqual(rows[0], { n: '50000', sum: String((50000 * 50001) / 2) });
    // pgcluster's application owner for the clone, with its own password.
    const [me] = await query<{ u: string; db: string }>(
      await primaryUri(await uriOf(state.dir, NAME)),
      'select current_user as u, current_database() as db',
    );
    assert.deepEqual(me, { u: 'shopkeeper', db: 'shop' });
    assert.ok((await stanzaInfo(state.dir, NAME)).archive, 'the clone archives to its own stanza');
  });

  test('GIVEN the clone WHEN the source is looked at THEN it is unchanged, and its password is nowhere under the state dir', async () => {
    const c = new Client({ ...source.config, database: 'shop' });
    await c.connect();
    try {
      const { rows } = await c.query<{ n: string }>('select count(*) as n from orders');
      assert.equal(rows[0]?.n, '50000');
      const slots = await c.query('select slot_name from pg_replication_slots');
      assert.equal(slots.rowCount, 0, 'no replication slot left on the source');
      const archive = await c.query<{ s: string }>("select current_setting('archive_mode') as s");
      assert.equal(archive.rows[0]?.s, 'off', 'nothing of the source was reconfigured');
    } finally {
      await c.end();
    }
    for (const file of files(join(state.dir, NAME)))
      assert.ok(!readFileSync(file, 'latin1').includes(CLONE_PW), `${file} holds the source's password`);
    for (const m of [1, 2, 3])
      assert.ok(!existsSync(join(state.dir, NAME, 'members', `${NAME}-${m}`, 'clone.pgpass')));
  });
});
