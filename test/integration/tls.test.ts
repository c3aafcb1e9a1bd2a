/**
 * TLS on a real local cluster (etcd, Patroni 4.1, PostgreSQL 15, PgBouncer): verify-full through rw,
 * ro and the pooler with the cluster's own CA; plaintext refused under tls.required; replication on a
 * client certificate; a wrong CA refused; `pgcluster certificate` for certificate auth (and one from
 * another CA refused); the Patroni REST API and etcd on HTTPS; rotation of the server certificate by a reload
 * with no restart; no private key in process arguments or logs. psql and openssl are the clients.
 * Ports 31000-31060.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:https';
import { cli, cliOk, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { statusOf, uriOf, waitFor } from '../helpers/pg';
import { createCa, issueCertificate } from '../../provider/secrets/x509';

const NAME = 'tlsc';
const BASE = 31000;

function psql(
  conninfo: string,
  sql: string,
  env: NodeJS.ProcessEnv = {},
): { ok: boolean; out: string; err: string } {
  const r = spawnSync('psql', [conninfo, '-XAtc', sql], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, PGPASSWORD: '', PGCONNECT_TIMEOUT: '5', ...env },
  });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? '').trim() };
}

function psqlOk(conninfo: string, sql: string): string {
  const r = psql(conninfo, sql);
  assert.ok(r.ok, `psql ${sql}: ${r.err}`);
  return r.out;
}

/** The server certificate's notAfter and serial as a TLS client sees them (openssl s_client -starttls postgres). */
function servedCertificate(port: number): { notAfter: string; serial: string } {
  const r = spawnSync(
    'bash',
    [
      '-c',
      `openssl s_client -starttls postgres -connect 127.0.0.1:${port} </dev/null 2>/dev/null | openssl x509 -noout -enddate -serial`,
    ],
    { encoding: 'utf8', timeout: 20_000 },
  );
  const notAfter = /notAfter=(.*)/.exec(r.stdout)?.[1];
  const serial = /serial=(.*)/.exec(r.stdout)?.[1];
  assert.ok(notAfter && serial, `openssl s_client: ${r.stdout} ${r.stderr}`);
  return { notAfter, serial };
}

function httpsStatus(url: string, ca?: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(url, { ...(ca ? { ca } : {}), agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? e.message));
    req.end();
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

describe('local cluster under tls (required, certificate replication, certificate users)', () => {
  const state = tempStateDir('tls');
  let specFile = '';
  const spec = (days: number, renewBeforeDays: number) => ({
    name: NAME,
    instances: 2,
    platform: { local: { basePort: BASE } },
    tls: { required: true, clientAuth: { users: ['alice'] }, days, renewBeforeDays },
    roles: [{ name: 'alice', login: true }],
  });
  const ca = () => join(state.dir, NAME, 'tls', 'ca.crt');

  before(async () => {
    specFile = writeSpec(state.dir, spec(20, 5));
    await cliOk(state.dir, ['up', '-f', specFile]);
  });

  after(async () => {
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
  });

  test('GIVEN tls WHEN uri is asked THEN every endpoint carries sslmode=verify-full and the CA', async () => {
    for (const flags of [[], ['--ro'], ['--pooler'], ['--superuser']]) {
      const uri = await uriOf(state.dir, NAME, ...flags);
      assert.ok(uri.includes(`sslmode=verify-full&sslrootcert=${ca()}`), uri);
    }
  });

  test('GIVEN the CA WHEN psql connects with verify-full through rw, ro and the pooler THEN each works over TLS', async () => {
    assert.equal(
      psqlOk(
        await uriOf(state.dir, NAME),
        'select pg_is_in_recovery(), ssl from pg_stat_ssl where pid = pg_backend_pid()',
      ),
      'f|t',
    );
    assert.equal(
      psqlOk(
        await uriOf(state.dir, NAME, '--ro'),
        'select pg_is_in_recovery(), ssl from pg_stat_ssl where pid = pg_backend_pid()',
      ),
      't|t',
    );
    // Through the pooler: psql verified the pooler's certificate; the server sees the pooler's connection on TLS too.
    assert.equal(
      psqlOk(
        await uriOf(state.dir, NAME, '--pooler'),
        'select ssl from pg_stat_ssl where pid = pg_backend_pid()',
      ),
      't',
    );
  });

  test('GIVEN tls.required WHEN a client connects without TLS THEN the member and the pooler refuse it', async () => {
    const s = await statusOf(state.dir, NAME);
    const secret = new URL((await uriOf(state.dir, NAME)).replace(/,[^/]+/, '')).password;
    for (const m of s.members) {
      const r = psql(`host=127.0.0.1 port=${m.port} dbname=app user=app sslmode=disable`, 'select 1', {
        PGPASSWORD: decodeURIComponent(secret),
      });
      assert.ok(!r.ok && /no pg_hba.conf entry .* no encryption/.test(r.err), `${m.name}: ${r.err}`);
    }
    const r = psql(`host=127.0.0.1 port=${BASE} dbname=app user=app sslmode=disable`, 'select 1', {
      PGPASSWORD: decodeURIComponent(secret),
    });
    assert.ok(!r.ok && /SSL required/.test(r.err), r.err);
  });

  test('GIVEN certificate replication WHEN the primary lists its replication connections THEN each is TLS with the replicator certificate', async () => {
    const rows = await waitFor(
      'a streaming replica',
      async () => {
        const out = psqlOk(
          await uriOf(state.dir, NAME, '--superuser'),
          'select r.usename, s.ssl, s.client_dn from pg_stat_replication r join pg_stat_ssl s using (pid)',
        );
        return out.length > 0 ? out : undefined;
      },
      30_000,
    );
    assert.equal(rows, 'replicator|t|/CN=replicator');
  });

  test('GIVEN another CA WHEN psql verifies the server with it THEN verification fails', async () => {
    const other = await createCa('someone else', 30);
    const file = join(state.dir, 'other-ca.crt');
    writeFileSync(file, other.certificate);
    const uri = (await uriOf(state.dir, NAME)).replace(encodeURIComponent(ca()).replace(/%2F/g, '/'), file);
    const r = psql(uri, 'select 1');
    assert.ok(!r.ok && /certificate verify failed/.test(r.err), r.err);
  });

  test('GIVEN pgcluster certificate --user alice WHEN alice connects with it and no password THEN she is in; one from another CA is refused', async () => {
    const out = join(state.dir, 'alice');
    const issued = await cliOk(state.dir, ['certificate', NAME, '--user', 'alice', '--out', out]);
    assert.ok(issued.stdout.includes(join(out, 'alice.key')), issued.stdout);
    assert.equal(statSync(join(out, 'alice.key')).mode & 0o777, 0o600);
    const s = await statusOf(state.dir, NAME);
    const primary = s.members.find((m) => m.role === 'primary')!;
    const conn = (dir: string) =>
      `host=127.0.0.1 port=${primary.port} dbname=app user=alice sslmode=verify-full sslrootcert=${ca()} sslcert=${dir}/alice.crt sslkey=${dir}/alice.key`;
    assert.equal(psqlOk(conn(out), 'select current_user'), 'alice');

    const foreign = await createCa('not the cluster', 30);
    const forged = await issueCertificate(foreign, { commonName: 'alice', usage: 'client', days: 30 });
    const dir = join(state.dir, 'forged');
    spawnSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'alice.crt'), forged.certificate);
    writeFileSync(join(dir, 'alice.key'), forged.privateKey, { mode: 0o600 });
    const r = psql(conn(dir), 'select current_user');
    assert.ok(!r.ok && /certificate|alert/i.test(r.err), r.err);
  });

  test('GIVEN tls WHEN the Patroni REST API is called THEN it is HTTPS: verified by the CA, refused without it', async () => {
    const s = await statusOf(state.dir, NAME);
    assert.equal(s.primary !== null, true, 'status reaches Patroni over HTTPS');
    const url = `https://127.0.0.1:${BASE + 41}/cluster`;
    assert.equal(await httpsStatus(url, readFileSync(ca(), 'utf8')), 200);
    assert.match(String(await httpsStatus(url)), /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
  });

  test('GIVEN a cluster created with tls WHEN etcd is asked THEN it serves HTTPS verified by the CA, and Patroni and the supervisors use it', async () => {
    const health = `https://127.0.0.1:${BASE + 1}/health`;
    assert.equal(await httpsStatus(health, readFileSync(ca(), 'utf8')), 200);
    assert.match(String(await httpsStatus(health)), /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    const yml = readFileSync(join(state.dir, NAME, 'members', `${NAME}-1`, 'patroni.yml'), 'utf8');
    assert.match(yml, /etcd3:\n(\s+.*\n)*?\s+protocol: https/);
    const pid = readFileSync(join(state.dir, NAME, 'members', `${NAME}-1`, 'supervisor.pid'), 'utf8').trim();
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    assert.ok(
      env.includes(`PGCLUSTER_ETCD_URL=https://127.0.0.1:${BASE + 1}`),
      'the supervisor reaches etcd over HTTPS',
    );
    assert.ok(env.includes(`PGCLUSTER_ETCD_CA=${ca()}`));
  });

  test('GIVEN status WHEN asked THEN each certificate shows its expiry', async () => {
    const s = await statusOf(state.dir, NAME);
    assert.deepEqual(
      s.certificates.map((c) => c.name),
      ['ca', 'server', 'replicator', 'rewinder'],
    );
    const server = s.certificates.find((c) => c.name === 'server')!;
    assert.ok(server.daysLeft >= 19 && server.daysLeft <= 20, JSON.stringify(server));
  });

  test('GIVEN a server certificate with fewer days left than renewBeforeDays WHEN up THEN a new one is served after a reload, with no restart', async () => {
    const s = await statusOf(state.dir, NAME);
    const primary = s.members.find((m) => m.role === 'primary')!;
    const before = servedCertificate(primary.port);
    const started = psqlOk(await uriOf(state.dir, NAME, '--superuser'), 'select pg_postmaster_start_time()');
    specFile = writeSpec(state.dir, spec(40, 25));
    const up = await cliOk(state.dir, ['up', '-f', specFile]);
    assert.match(up.stdout + up.stderr, /server certificate \(\d+ day\(s\) left\).*reloaded .*no restart/);
    const afterCert = await waitFor(
      'the new certificate served',
      async () => {
        const c = servedCertificate(primary.port);
        return c.serial !== before.serial ? c : undefined;
      },
      20_000,
    );
    assert.ok(
      Date.parse(afterCert.notAfter) > Date.parse(before.notAfter) + 19 * 86_400_000,
      `${before.notAfter} -> ${afterCert.notAfter}`,
    );
    assert.equal(
      psqlOk(await uriOf(state.dir, NAME, '--superuser'), 'select pg_postmaster_start_time()'),
      started,
    );
    const now = await statusOf(state.dir, NAME);
    assert.equal(now.members.find((m) => m.name === primary.name)?.pid, primary.pid, 'same postmaster');
    assert.ok(now.certificates.find((c) => c.name === 'server')!.daysLeft >= 39);
    // Clients still connect with verify-full through the pooler after the reload.
    assert.equal(psqlOk(await uriOf(state.dir, NAME, '--pooler'), 'select 1'), '1');
  });

  test('GIVEN tls.required WHEN an up turns tls off in one step THEN it is refused with the two steps, nothing touched', async () => {
    const file = writeSpec(state.dir, { ...spec(40, 25), tls: { enabled: false } }, 'no-tls.yaml');
    const r = await cli(state.dir, ['up', '-f', file]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /tls: cannot be turned off .* First up with tls.required false and tls.clientAuth.replication password, then set tls.enabled false/,
    );
    assert.equal(
      psqlOk(await uriOf(state.dir, NAME), 'select ssl from pg_stat_ssl where pid = pg_backend_pid()'),
      't',
    );
  });

  test('GIVEN the running cluster WHEN process arguments, logs and files are read THEN no private key is in them, and every key file is 0600', () => {
    const keys = filesUnder(join(state.dir, NAME, 'tls')).filter((f) => f.endsWith('.key'));
    assert.ok(keys.length >= 4);
    for (const k of keys) assert.equal(statSync(k).mode & 0o777, 0o600, k);
    const secrets = keys.map((k) => readFileSync(k, 'utf8').split('\n')[1]!);
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      let args = '';
      try {
        args = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      assert.ok(!args.includes('PRIVATE KEY') && !secrets.some((s) => args.includes(s)), `process ${pid}`);
    }
    const logs = filesUnder(join(state.dir, NAME)).filter((f) => /\.log|log\//.test(f));
    assert.ok(logs.length > 0);
    for (const f of logs) {
      const text = readFileSync(f, 'utf8');
      assert.ok(!text.includes('PRIVATE KEY') && !secrets.some((s) => text.includes(s)), f);
    }
  });
});

describe('local cluster under tls with your own CA and server certificate', () => {
  const state = tempStateDir('tls-own');
  const NAME2 = 'tlsown';

  after(async () => {
    await cli(state.dir, ['destroy', NAME2]);
    state.cleanup();
  });

  test('GIVEN tls.ca and tls.server files WHEN up THEN the server presents that certificate, verify-full with that CA works, and the CA signs replication', async () => {
    const ca = await createCa('our own CA', 30);
    const server = await issueCertificate(ca, {
      commonName: 'tlsown-rw',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
      days: 30,
    });
    writeFileSync(join(state.dir, 'ca.pem'), ca.certificate);
    writeFileSync(join(state.dir, 'ca.key'), ca.privateKey, { mode: 0o600 });
    writeFileSync(join(state.dir, 'server.pem'), server.certificate);
    writeFileSync(join(state.dir, 'server.key'), server.privateKey, { mode: 0o600 });
    const file = writeSpec(state.dir, {
      name: NAME2,
      instances: 2,
      platform: { local: { basePort: 31080 } },
      tls: {
        required: true,
        ca: { certFile: 'ca.pem', keyFile: 'ca.key' },
        server: { certFile: 'server.pem', keyFile: 'server.key' },
      },
    });
    await cliOk(state.dir, ['up', '-f', file]);
    const own = join(state.dir, 'ca.pem');
    const uri = (await uriOf(state.dir, NAME2)).replace(/sslrootcert=[^&]+/, `sslrootcert=${own}`);
    assert.equal(psqlOk(uri, 'select ssl from pg_stat_ssl where pid = pg_backend_pid()'), 't');
    const s = await statusOf(state.dir, NAME2);
    const primary = s.members.find((m) => m.role === 'primary')!;
    const served = spawnSync(
      'bash',
      [
        '-c',
        `openssl s_client -starttls postgres -connect 127.0.0.1:${primary.port} </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer`,
      ],
      { encoding: 'utf8' },
    ).stdout;
    assert.match(served, /subject=CN ?= ?tlsown-rw/);
    assert.match(served, /issuer=CN ?= ?our own CA/);
    const rows = await waitFor(
      'replication on a certificate of our CA',
      async () => {
        const out = psqlOk(
          (await uriOf(state.dir, NAME2, '--superuser')).replace(/sslrootcert=[^&]+/, `sslrootcert=${own}`),
          'select s.ssl, s.client_dn, s.issuer_dn from pg_stat_replication r join pg_stat_ssl s using (pid)',
        );
        return out.length > 0 ? out : undefined;
      },
      30_000,
    );
    assert.equal(rows, 't|/CN=replicator|/CN=our own CA');
  });
});
