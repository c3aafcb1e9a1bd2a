/**
 * The ClientCertificate resource through the real @pulumi/pulumi dynamic-provider host over gRPC,
 * against a real local cluster under tls (PostgreSQL 15, Patroni, etcd): check refuses a bad role
 * and validity, create issues a certificate the cluster's CA signed with the role as CN, and psql logs
 * in with it and no password; a new role or trigger replaces it. Uses the built dist/ (run
 * `npm run build` first). Ports 31600-31660.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { startDynamicHost, type DynamicHost } from '../helpers/dynamic-host';
import { cli, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { readFileSync } from 'node:fs';
import { secret, type PropertyMap } from '../helpers/property-values';

const { clientCertificateProvider } =
  require('../../dist/pulumi/client-certificate') as typeof import('../../provider/pulumi/client-certificate');

const { roleProvider } = require('../../dist/pulumi/role') as typeof import('../../provider/pulumi/role');

const NAME = 'dyncert';
const BASE = 31600;

describe('ClientCertificate dynamic resource through the dynamic-provider host', { timeout: 300_000 }, () => {
  const state = tempStateDir('client-cert');
  let host: DynamicHost;
  let id = '';
  let outs: PropertyMap = {};

  before(async () => {
    const file = writeSpec(state.dir, {
      name: NAME,
      instances: 1,
      platform: { local: { basePort: BASE } },
      tls: { required: true, clientAuth: { users: ['alice'] } },
      roles: [{ name: 'alice', login: true }],
    });
    const up = await cli(state.dir, ['up', '-f', file]);
    assert.equal(up.code, 0, up.stderr);
    host = await startDynamicHost(clientCertificateProvider, {
      module: 'pgcluster',
      type: 'ClientCertificate',
      name: 'alice',
    });
  });

  after(async () => {
    await host?.stop();
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
  });

  test('GIVEN a role pg_hba cannot take and a validity too short to renew WHEN check THEN both fail, naming the field', async () => {
    const { failures } = await host.check({}, { cluster: NAME, stateDir: state.dir, user: 'a b', days: 10 });
    assert.deepEqual(
      failures.map((f) => f.property),
      ['user', 'days'],
    );
    assert.match(failures[0]!.reason, /user: "a b" is not allowed/);
  });

  test('GIVEN a tls cluster WHEN a ClientCertificate is created THEN the CA signed it for the role, and psql logs in with it', async () => {
    const { inputs, failures } = await host.check({}, { cluster: NAME, stateDir: state.dir, user: 'alice' });
    assert.deepEqual(failures, []);
    assert.equal(inputs.days, 365);
    const created = await host.create(inputs);
    id = created.id;
    outs = created.outs;
    const cert = new X509Certificate(String(outs.certificate));
    const ca = new X509Certificate(String(outs.ca));
    assert.ok(cert.verify(ca.publicKey), 'signed by the cluster CA');
    assert.equal(cert.subject, 'CN=alice');
    assert.match(String(outs.privateKey), /BEGIN PRIVATE KEY/);
    const dir = join(state.dir, 'alice');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'alice.crt'), String(outs.certificate));
    writeFileSync(join(dir, 'alice.key'), String(outs.privateKey), { mode: 0o600 });
    writeFileSync(join(dir, 'ca.crt'), String(outs.ca));
    const r = spawnSync(
      'psql',
      [
        `host=127.0.0.1 port=${BASE + 11} dbname=app user=alice sslmode=verify-full sslrootcert=${dir}/ca.crt sslcert=${dir}/alice.crt sslkey=${dir}/alice.key`,
        '-XAtc',
        'select current_user',
      ],
      { encoding: 'utf8', env: { ...process.env, PGPASSWORD: '' } },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'alice');
  });

  test('GIVEN the certificate WHEN its role or trigger changes THEN it is replaced; unchanged THEN no change', async () => {
    assert.equal((await host.diff(id, outs, outs)).changes, false);
    assert.deepEqual((await host.diff(id, outs, { ...outs, user: 'bob' })).replaces, ['user']);
    assert.deepEqual((await host.diff(id, outs, { ...outs, trigger: 'rotate' })).replaces, ['trigger']);
  });

  test('GIVEN tls.required WHEN a Role resource connects with the CA in its connection THEN it creates the role over TLS; without the CA it cannot', async () => {
    const roles = await startDynamicHost(roleProvider, { module: 'pgcluster', type: 'Role', name: 'bob' });
    try {
      const secrets = JSON.parse(readFileSync(join(state.dir, NAME, 'secrets.json'), 'utf8')) as {
        superuserPassword: string;
      };
      const base = {
        host: '127.0.0.1',
        port: BASE + 11,
        user: 'postgres',
        password: secret(secrets.superuserPassword),
      };
      const ca = readFileSync(join(state.dir, NAME, 'tls', 'ca.crt'), 'utf8');
      const ok = await roles.check({}, { connection: { ...base, ca }, name: 'bob', login: true });
      assert.deepEqual(ok.failures, []);
      const created = await roles.create(ok.inputs);
      assert.equal(created.id, 'bob');
      const plain = await roles.check({}, { connection: base, name: 'carol', login: true });
      await assert.rejects(roles.create(plain.inputs), /no encryption|pg_hba/);
    } finally {
      await roles.stop();
    }
  });
});
