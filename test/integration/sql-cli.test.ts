/**
 * `pgcluster up` with roles[], databases[] and grants[] on a 1-instance local cluster (real etcd,
 * Patroni, PostgreSQL 15): passwords from a file and the environment, never in cluster.json or the
 * output; `status --json` lists the managed roles and databases; a second `up` runs no statement;
 * a failing statement makes `up` exit 1 listing it, after everything else was applied.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { roleVerifier } from '../../provider/secrets/scram';
import { cli, cliOk, tempStateDir } from '../helpers/cli';
import { statusOf } from '../helpers/pg';
import { writeSpec } from '../helpers/spec-file';

const NAME = 'sqlcli';
const BASE = 21300;
const READER_PW = 'reader pw from a file';
const WRITER_PW = "writer's pw from the env";

describe('pgcluster up with roles, databases and grants', () => {
  const state = tempStateDir('sqlcli');
  const spec = {
    name: NAME,
    instances: 1,
    platform: { local: { basePort: BASE } },
    roles: [
      { name: 'reader', login: true, password: { fromFile: 'reader.pw' } },
      { name: 'writer', login: true, password: { fromEnv: 'SQLCLI_WRITER_PW' }, inRoles: ['reader'] },
    ],
    databases: [{ name: 'shop', owner: 'writer', schemas: [{ name: 'sales' }] }],
    grants: [
      { role: 'reader', database: 'shop', privileges: ['CONNECT'] },
      { role: 'reader', database: 'shop', on: 'schema', schema: 'sales', privileges: ['USAGE'] },
    ],
  };
  let specFile = '';

  before(() => {
    writeFileSync(join(state.dir, 'reader.pw'), `${READER_PW}\n`, { mode: 0o600 });
    process.env.SQLCLI_WRITER_PW = WRITER_PW;
    specFile = writeSpec(state.dir, spec);
  });

  after(async () => {
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
    delete process.env.SQLCLI_WRITER_PW;
  });

  test('GIVEN a spec with roles, databases and grants WHEN up THEN they are created, each statement reported, passwords redacted', async () => {
    const out = await cliOk(state.dir, ['up', '-f', specFile]);
    assert.match(out.stderr, /CREATE ROLE "reader" WITH LOGIN/);
    assert.match(out.stderr, /ALTER ROLE "writer" PASSWORD '\*\*\*'/);
    assert.match(out.stderr, /CREATE DATABASE "shop" OWNER "writer"/);
    assert.match(out.stderr, /CREATE SCHEMA "sales" AUTHORIZATION "writer" {2}-- in database "shop"/);
    assert.match(out.stderr, /GRANT CONNECT ON DATABASE "shop" TO "reader"/);
    assert.match(out.stderr, /roles, databases and grants: \d+ statements/);
    for (const secret of [READER_PW, WRITER_PW])
      assert.ok(!out.stderr.includes(secret) && !out.stdout.includes(secret));
  });

  test('GIVEN the cluster WHEN status --json THEN roles[] and databases[] list the managed objects', async () => {
    const status = await statusOf(state.dir, NAME);
    assert.deepEqual(
      status.roles.map((r) => [r.name, r.exists, r.login, r.passwordManaged, r.inRoles]),
      [
        ['reader', true, true, true, []],
        ['writer', true, true, true, ['reader']],
      ],
    );
    assert.deepEqual(status.databases, [
      { name: 'shop', exists: true, owner: 'writer', reclaimPolicy: 'retain' },
    ]);
    const table = (await cliOk(state.dir, ['status', NAME])).stdout;
    assert.match(
      table,
      /Roles:\n {2}"reader" {2}login, password\n {2}"writer" {2}login, password, in reader/,
    );
    assert.match(table, /Databases:\n {2}"shop" {2}owner "writer", reclaimPolicy retain/);
  });

  test('GIVEN the passwords WHEN the roles log in, directly and through the pooler, THEN they work; cluster.json and the pooler hold no password', async () => {
    const member = (await statusOf(state.dir, NAME)).members[0]!;
    for (const [user, password] of [
      ['reader', READER_PW],
      ['writer', WRITER_PW],
    ] as const) {
      const client = new Client({ host: member.host, port: member.port, user, password, database: 'shop' });
      await client.connect();
      await client.end();
    }
    const pooler = new URL((await statusOf(state.dir, NAME)).endpoints.pooler as string);
    for (const [user, password] of [
      ['reader', READER_PW],
      ['writer', WRITER_PW],
    ] as const) {
      const client = new Client({
        host: pooler.hostname,
        port: Number(pooler.port),
        user,
        password,
        database: 'shop',
      });
      await client.connect();
      const { rows } = await client.query('select current_user as who');
      assert.deepEqual(rows, [{ who: user }], `${user} through the pooler`);
      await client.end();
    }
    const wrong = new Client({
      host: pooler.hostname,
      port: Number(pooler.port),
      user: 'reader',
      password: 'nope',
      database: 'shop',
    });
    await assert.rejects(wrong.connect(), /SASL authentication failed|password authentication failed/);
    const userlist = readFileSync(join(state.dir, NAME, 'pooler', 'userlist.txt'), 'utf8');
    assert.ok(
      userlist.split('\n').includes(`"reader" "${roleVerifier('reader', READER_PW)}"`),
      'the server verifier, read back, is the one pgcluster computes (as Pulumi renders it)',
    );
    assert.ok(!userlist.includes(READER_PW) && !userlist.includes(WRITER_PW));
    const record = readFileSync(join(state.dir, NAME, 'cluster.json'), 'utf8');
    assert.ok(!record.includes(READER_PW) && !record.includes(WRITER_PW));
    assert.match(record, /"passwordHash": "hmac-sha256\$/);
    assert.match(record, /"fromFile": "reader\.pw"/);
  });

  test('GIVEN the same spec WHEN up again THEN no SQL statement runs and shop is not re-read; a revoke by hand there is restored', async () => {
    const out = await cliOk(state.dir, ['up', '-f', specFile]);
    assert.match(
      out.stderr,
      /roles, databases and grants: nothing to change \(1 database unchanged since the last apply, not re-read\)/,
    );
    assert.doesNotMatch(out.stderr, /\b(CREATE|ALTER|GRANT|REVOKE|DROP|COMMENT) /);
    const member = (await statusOf(state.dir, NAME)).members[0]!;
    const uri = new URL((await cliOk(state.dir, ['uri', NAME, '--superuser'])).stdout.trim());
    uri.pathname = '/shop';
    const admin = new Client({ connectionString: uri.toString() });
    await admin.connect();
    await admin.query('REVOKE USAGE ON SCHEMA sales FROM reader').finally(() => admin.end());
    const fixed = await cliOk(state.dir, ['up', '-f', specFile]);
    assert.match(fixed.stderr, /GRANT USAGE ON SCHEMA "sales" TO "reader"/);
    assert.match(fixed.stderr, /roles, databases and grants: 1 statement\n/);
    const usage = new Client({
      host: member.host,
      port: member.port,
      user: 'reader',
      password: READER_PW,
      database: 'shop',
    });
    await usage.connect();
    try {
      const { rows } = await usage.query("select has_schema_privilege('sales', 'USAGE') as ok");
      assert.deepEqual(rows, [{ ok: true }]);
    } finally {
      await usage.end();
    }
  });

  test('GIVEN a grant on a missing database WHEN up THEN exit 1 listing it, and the other changes are applied', async () => {
    const broken = {
      ...spec,
      roles: [...spec.roles, { name: 'extra' }],
      grants: [...spec.grants, { role: 'extra', database: 'nowhere', privileges: ['CONNECT'] }],
    };
    const out = await cli(state.dir, ['up', '-f', writeSpec(state.dir, broken, 'broken.yaml')]);
    assert.equal(out.code, 1, out.stderr);
    assert.match(out.stderr, /1 roles\/databases\/grants action\(s\) failed \(the others were applied\)/);
    assert.match(
      out.stderr,
      /grant privileges of "extra" on database "nowhere": 3D000 database does not exist/,
    );
    const status = await statusOf(state.dir, NAME);
    assert.ok(status.roles.some((r) => r.name === 'extra' && r.exists === true));
  });
});
