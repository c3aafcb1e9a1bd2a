/**
 * The rendered files fed to the real tools: PostgreSQL 15 parses the parameters, Patroni validates
 * patroni.yml, PgBouncer starts with pgbouncer.ini. Each tool also gets a broken file, so these
 * tests can fail. Servers run as the `postgres` OS user on ports 26000-26999 and are stopped by PID.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { renderParameters } from './parameters';
import { renderPatroniYaml } from './patroni';
import type { StandbyContext } from './context';
import { renderPgbouncerIni, renderPoolerDatabases, renderUserlist } from './pgbouncer';
import { parseSpec } from '../spec';
import { POOLER_ADMIN_USER } from '../naming';
import { scramVerifier } from '../secrets/scram';
import {
  FAKE_SECRETS,
  ordersSpec,
  patroniContext,
  PG_BIN_DIR,
  poolerContext,
} from '../../test/helpers/render-context';
import {
  appendToFile,
  daemonOutput,
  freePort,
  makeTempDir,
  readText,
  removeDir,
  run,
  startDaemon,
  stopDaemon,
  waitForPort,
  waitUntil,
  writeOwnedFile,
  type Daemon,
  type RunResult,
} from '../../test/helpers/processes';
import { patroniBinary } from '../../test/helpers/patroni';

const TIMEOUT = { timeout: 120_000 };

function assertRan(result: RunResult, what: string): void {
  assert.equal(result.status, 0, `${what} failed (${result.status}):\n${result.stdout}${result.stderr}`);
}

/** postgresql.conf lines, quoted the way PostgreSQL reads them. */
function confLines(parameters: Record<string, string>): string {
  const quote = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  return Object.entries(parameters)
    .map(([key, value]) => `${key} = ${quote(value)}\n`)
    .join('');
}

/** psql -XAt with tab-separated columns: one array of fields per row. */
function query(cwd: string, conn: string[], sql: string, password?: string): string[][] {
  const env = password === undefined ? undefined : { PGPASSWORD: password };
  const result = run(join(PG_BIN_DIR, 'psql'), ['-X', '-A', '-t', '-F', '\t', ...conn, '-c', sql], cwd, {
    env,
  });
  assertRan(result, `psql ${sql}`);
  return result.stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t'));
}

describe('PostgreSQL 15 accepts the rendered parameters', TIMEOUT, () => {
  let dir = '';
  let data = '';
  let server: Daemon | undefined;

  before(() => {
    dir = makeTempDir('postgres');
    data = join(dir, 'data');
    const initdb = [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C.UTF-8',
      '--no-sync',
    ];
    assertRan(run(join(PG_BIN_DIR, 'initdb'), initdb, dir), 'initdb');
  });

  after(async () => {
    await stopDaemon(server, 'SIGINT');
    removeDir(dir);
  });

  test('GIVEN a parameter PostgreSQL cannot accept WHEN postgres -C reads the file THEN it refuses, naming it', () => {
    const good = writeOwnedFile(join(dir, 'good.conf'), confLines(renderParameters(ordersSpec())));
    const ok = run(
      join(PG_BIN_DIR, 'postgres'),
      ['-D', data, `--config-file=${good}`, '-C', 'wal_level'],
      dir,
    );
    assertRan(ok, 'postgres -C with the rendered parameters');
    assert.equal(ok.stdout.trim(), 'replica');

    const spec = parseSpec({ name: 'orders', parameters: { shared_buffers: 'lots' } });
    const bad = writeOwnedFile(join(dir, 'bad.conf'), confLines(renderParameters(spec)));
    const refused = run(
      join(PG_BIN_DIR, 'postgres'),
      ['-D', data, `--config-file=${bad}`, '-C', 'wal_level'],
      dir,
    );
    assert.ok(
      refused.status !== null && refused.status !== 0,
      'postgres should refuse shared_buffers = lots',
    );
    assert.match(refused.stderr, /"shared_buffers"/);
  });

  test('GIVEN the rendered parameters in postgresql.conf WHEN PostgreSQL starts THEN SHOW returns each rendered value', async () => {
    const rendered = renderParameters(ordersSpec());
    const port = await freePort();
    appendToFile(
      join(data, 'postgresql.conf'),
      `\n# rendered by pgcluster\n${confLines(rendered)}` +
        `port = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dir}'\n`,
    );
    server = startDaemon('postgres', join(PG_BIN_DIR, 'postgres'), ['-D', data], dir);
    const conn = ['-h', dir, '-p', String(port), '-U', 'postgres', '-d', 'postgres'];
    const ping = ['-X', '-A', '-t', ...conn, '-c', 'SELECT 1'];
    await waitUntil(server, 'accepting queries', () => run(join(PG_BIN_DIR, 'psql'), ping, dir).status === 0);

    const names = Object.keys(rendered).map((k) => `'${k}'`);
    const rows = query(
      dir,
      conn,
      `SELECT name, current_setting(name) FROM unnest(ARRAY[${names.join(',')}]) AS name`,
    );
    assert.deepEqual(Object.fromEntries(rows), rendered);

    await stopDaemon(server, 'SIGINT');
    assert.equal(await server.exited, 0, `postgres did not shut down cleanly:\n${daemonOutput(server)}`);
  });
});

describe('Patroni validates the rendered patroni.yml', TIMEOUT, () => {
  let dir = '';
  let etcd: Daemon | undefined;
  let etcdPort = 0;

  before(async () => {
    dir = makeTempDir('patroni');
    etcdPort = await freePort();
    const peer = `http://127.0.0.1:${await freePort()}`;
    const client = `http://127.0.0.1:${etcdPort}`;
    etcd = startDaemon(
      'etcd',
      'etcd',
      [
        ['--name', 'pgcluster-test'],
        ['--data-dir', join(dir, 'etcd')],
        ['--listen-client-urls', client, '--advertise-client-urls', client],
        ['--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer],
        ['--initial-cluster', `pgcluster-test=${peer}`],
      ].flat(),
      dir,
    );
    await waitForPort(etcd, '127.0.0.1', etcdPort);
  });

  after(async () => {
    await stopDaemon(etcd);
    removeDir(dir);
  });

  async function validate(
    file: string,
    o: { host: string; restPort?: number; etcdPort: number; standby?: StandbyContext },
  ): Promise<RunResult> {
    const ctx = patroniContext({
      cluster: 'orders',
      slot: 1,
      host: o.host,
      postgresPort: await freePort(o.host),
      restPort: o.restPort ?? (await freePort(o.host)),
      stateDir: dir,
      etcdHosts: [`127.0.0.1:${o.etcdPort}`],
    });
    const yml = writeOwnedFile(
      join(dir, file),
      renderPatroniYaml(ordersSpec(), o.standby ? { ...ctx, standby: o.standby } : ctx),
    );
    return run(patroniBinary(), ['--validate-config', yml], dir);
  }

  test('GIVEN member orders-1 on 127.0.1.1 and a running etcd WHEN validated THEN Patroni reports no error', async () => {
    const result = await validate('patroni.yml', { host: '127.0.1.1', etcdPort });
    assertRan(result, 'patroni --validate-config');
    assert.equal(`${result.stdout}${result.stderr}`.trim(), '', 'the validator printed something');
  });

  test('GIVEN member orders-1 of a replica cluster (standby_cluster, an archive restore method) WHEN validated THEN Patroni reports no error', async () => {
    const result = await validate('standby.yml', {
      host: '127.0.1.1',
      etcdPort,
      standby: {
        host: '10.246.1.1',
        port: 24111,
        restoreCommand: 'pgbackrest --stanza=orders-a archive-get %f "%p"',
        createReplicaMethods: ['pgcluster_replica_restore', 'basebackup'],
        restoreMethod: { name: 'pgcluster_replica_restore', command: 'pgbackrest --stanza=orders-a restore' },
      },
    });
    assertRan(result, 'patroni --validate-config');
    assert.equal(`${result.stdout}${result.stderr}`.trim(), '', 'the validator printed something');
  });

  test('GIVEN a loopback connect_address, a taken port and no etcd WHEN validated THEN Patroni refuses each', async () => {
    const nothing = await freePort();
    const result = await validate('broken.yml', { host: '127.0.0.1', restPort: etcdPort, etcdPort: nothing });
    assert.equal(result.status, 1, `expected the validator to fail:\n${result.stdout}${result.stderr}`);
    assert.match(result.stderr, /restapi\.connect_address .*must not contain "127\.0\.0\.1"/);
    assert.match(result.stderr, new RegExp(`restapi\\.listen .*Port ${etcdPort} is already in use`));
    assert.match(
      result.stderr,
      new RegExp(`etcd3\\.hosts\\.0 .*127\\.0\\.0\\.1:${nothing} is not reachable`),
    );
  });
});

describe('PgBouncer starts with the rendered pgbouncer.ini', TIMEOUT, () => {
  let dir = '';
  let bouncer: Daemon | undefined;

  before(() => {
    dir = makeTempDir('pgbouncer');
  });

  after(async () => {
    await stopDaemon(bouncer);
    removeDir(dir);
  });

  /** Writes pgbouncer.ini, the [databases] file and the userlist; returns the ini path. */
  function writeFiles(
    name: string,
    port: number,
    parameters: Record<string, string | number | boolean> = {},
  ): string {
    const ctx = {
      ...poolerContext(dir, port),
      logFile: join(dir, `${name}.log`),
      pidFile: join(dir, `${name}.pid`),
    };
    const base = ordersSpec().pooler;
    writeOwnedFile(ctx.databasesFile, renderPoolerDatabases({ host: '127.0.0.1', port: 26999 }));
    const users = [
      { user: POOLER_ADMIN_USER, secret: scramVerifier(FAKE_SECRETS.poolerAdminPassword) },
      { user: 'app', secret: scramVerifier(FAKE_SECRETS.appPassword) },
    ];
    writeOwnedFile(ctx.authFile, renderUserlist(users));
    const pooler = { ...base, parameters: { ...base.parameters, ...parameters } };
    return writeOwnedFile(join(dir, `${name}.ini`), renderPgbouncerIni(pooler, ctx));
  }

  test('GIVEN the rendered files WHEN pgbouncer starts THEN it listens, takes our settings and admits the SCRAM admin', async () => {
    const port = await freePort();
    const ini = writeFiles('pgbouncer', port);
    bouncer = startDaemon('pgbouncer', 'pgbouncer', ['-v', ini], dir);
    await waitForPort(bouncer, '127.0.0.1', port);
    assert.doesNotMatch(readText(join(dir, 'pgbouncer.log')), /\b(WARNING|ERROR|FATAL)\b/);

    const admin = ['-h', '127.0.0.1', '-p', String(port), '-U', POOLER_ADMIN_USER, '-d', 'pgbouncer'];
    const config = new Map(
      query(dir, admin, 'SHOW CONFIG', FAKE_SECRETS.poolerAdminPassword).map(([k, v]) => [k, v]),
    );
    assert.equal(config.get('pool_mode'), 'transaction');
    assert.equal(config.get('listen_port'), String(port));
    assert.equal(config.get('auth_type'), 'scram-sha-256');
    assert.equal(config.get('server_idle_timeout'), '600');

    await stopDaemon(bouncer);
    assert.ok(bouncer.child.exitCode !== null || bouncer.child.signalCode !== null, 'pgbouncer stopped');
  });

  test('GIVEN a setting value PgBouncer cannot accept WHEN it starts THEN it exits non-zero, naming the setting', async () => {
    const ini = writeFiles('broken', await freePort(), { server_idle_timeout: 'soon' });
    const result = run('pgbouncer', [ini], dir, { timeoutMs: 15_000 });
    assert.ok(
      result.status !== null && result.status !== 0,
      `pgbouncer should exit non-zero, not ${result.status}`,
    );
    assert.match(readText(join(dir, 'broken.log')) + result.stderr, /server_idle_timeout/);
  });
});
