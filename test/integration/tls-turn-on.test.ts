/**
 * TLS is on by default. A cluster that ran in plaintext (created with `tls: {enabled: false}`, or by
 * a pgcluster from before the default) gets TLS at its next `up` without the key: the replica keeps
 * its data and streams again over TLS with the replicator's client certificate, the URIs carry
 * verify-full, and the REST API moves to HTTPS: all by a reload, with no restart. Real etcd, Patroni, PostgreSQL, PgBouncer; psql as
 * the client. Ports 25500-25540.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cli, cliOk, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { statusOf, uriOf, waitFor } from '../helpers/pg';

const NAME = 'tlson';
const BASE = 25500;

function psql(conninfo: string, sql: string): string {
  const r = spawnSync('psql', [conninfo, '-XAtc', sql], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
  });
  assert.equal(r.status, 0, `psql ${sql}: ${r.stderr}`);
  return r.stdout.trim();
}

describe('local cluster: tls on by default, also for a cluster that ran in plaintext', () => {
  const state = tempStateDir('tls-on');
  const spec = { name: NAME, instances: 2, platform: { local: { basePort: BASE } } };

  before(async () => {
    await cliOk(state.dir, [
      'up',
      '-f',
      writeSpec(state.dir, { ...spec, tls: { enabled: false } }, 'plain.yaml'),
    ]);
    psql(await uriOf(state.dir, NAME), 'create table t as select generate_series(1, 1000) as id');
  });

  after(async () => {
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
  });

  test('GIVEN tls enabled false WHEN uri is asked THEN it is plaintext and the replica streams without TLS', async () => {
    assert.doesNotMatch(await uriOf(state.dir, NAME), /sslmode/);
    const rows = await waitFor(
      'a streaming replica',
      async () => {
        const out = psql(
          await uriOf(state.dir, NAME, '--superuser'),
          'select r.usename, s.ssl from pg_stat_replication r join pg_stat_ssl s using (pid)',
        );
        return out.length > 0 ? out : undefined;
      },
      30_000,
    );
    assert.equal(rows, 'replicator|f');
  });

  test('GIVEN that cluster WHEN up runs with no tls key THEN it is TLS on every hop, with its data, and the replica streams on its certificate', async () => {
    const before = psql(await uriOf(state.dir, NAME, '--superuser'), 'select pg_postmaster_start_time()');
    const up = await cliOk(state.dir, ['up', '-f', writeSpec(state.dir, spec, 'default.yaml')]);
    assert.match(up.stderr, /issued CA, server certificate .*\(no restart\)/);
    const uri = await uriOf(state.dir, NAME);
    assert.match(uri, /sslmode=verify-full/);
    assert.match(uri, /sslrootcert=/);
    const superuser = await uriOf(state.dir, NAME, '--superuser');
    assert.equal(psql(superuser, 'select ssl from pg_stat_ssl where pid = pg_backend_pid()'), 't');
    assert.equal(psql(superuser, 'select pg_postmaster_start_time()'), before, 'a reload, no restart');
    const replication = await waitFor(
      'the replica streaming over TLS',
      async () => {
        const out = psql(
          superuser,
          "select r.usename, s.ssl, s.client_dn from pg_stat_replication r join pg_stat_ssl s using (pid) where r.state = 'streaming'",
        );
        return out.includes('|t|') ? out : undefined;
      },
      60_000,
    );
    assert.equal(replication, 'replicator|t|/CN=replicator');
    const replica = (await statusOf(state.dir, NAME)).members.find((m) => m.role !== 'primary');
    assert.ok(replica, 'a replica is listed');
    assert.equal(psql(uri, 'select count(*) from t'), '1000', 'the rows on the primary');
    assert.equal(
      psql(await uriOf(state.dir, NAME, '--ro'), 'select count(*) from t'),
      '1000',
      'and on the replica',
    );
    assert.equal(psql(await uriOf(state.dir, NAME, '--pooler'), 'select 1'), '1');
  });
});
