/**
 * TLS on the real single-node Kubernetes: examples/kubernetes with `tls: {required: true}` through
 * the real engine. psql verifies the server by the CA of the application Secret with verify-full
 * against the Service names (`<name>-rw.<ns>.svc` from the node, by the Service's ClusterIP as
 * hostaddr; and from a pod through the cluster DNS), through the pooler too, whose own connection to
 * the primary is TLS; the replicas stream on their client certificates (pg_stat_ssl on the primary);
 * plaintext and a wrong CA are refused; the private keys are 0440 files in the pods and in no
 * ConfigMap. Then an `up` within renewBeforeDays issues a new server certificate from the same CA,
 * which PostgreSQL and PgBouncer serve after a reload: no pod and no postmaster restarts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../helpers/pg';
import { cli } from '../helpers/cli';
import { createCa } from '../../provider/secrets/x509';
import { KUBECTL, kubernetesCluster, type Cluster } from './support/cluster';
import { kubernetesStack, type KubernetesStack } from './support/stack';
import {
  appUser,
  byServiceName,
  labelledPrimary,
  psql,
  secretOf,
  serviceIp,
  type Credentials,
} from './support/reach';
import { certificateLogin } from './support/cert-login';
import { issueCertificate } from '../../provider/secrets/x509';

const NS = 'pgc-tls';
const NAME = 'orders';
const PODS = ['orders-1', 'orders-2'];

/** The server certificate a TLS client sees at ip:5432 (openssl s_client -starttls postgres). */
function served(ip: string): { notAfter: Date; serial: string } {
  const r = spawnSync(
    'bash',
    [
      '-c',
      `openssl s_client -starttls postgres -connect ${ip}:5432 </dev/null 2>/dev/null | openssl x509 -noout -enddate -serial`,
    ],
    { encoding: 'utf8', timeout: 20_000 },
  );
  const notAfter = /notAfter=(.*)/.exec(r.stdout)?.[1];
  const serial = /serial=(.*)/.exec(r.stdout)?.[1];
  assert.ok(notAfter && serial, `openssl s_client ${ip}: ${r.stdout} ${r.stderr}`);
  return { notAfter: new Date(notAfter), serial };
}

const DAY_MS = 24 * 3600_000;

/** GET `url` (http or https; https verifies by `ca` and `servername`): the status and body, or the error. */
function get(
  url: string,
  tls?: { ca: string; servername: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { agent: false, timeout: 10_000, ...(tls ?? {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timeout`)));
    req.on('error', reject);
    req.end();
  });
}

describe('tls on a real single-node Kubernetes (verify-full by Service name, certificate replication)', () => {
  let cluster: Cluster;
  let stack: KubernetesStack;
  let created = false;
  let app: Credentials;
  let appSecret: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'pgc-k8s-tls-'));
  const caFile = join(dir, 'ca.crt');
  const otherCaFile = join(dir, 'other-ca.crt');

  /** A libpq conninfo that verifies `service`'s name while reaching its ClusterIP from the node. */
  const byName = (service: string, extra = '') => byServiceName(cluster, NS, service, extra);

  /** SQL as postgres in a member pod: over TCP to `host` (the pod resolves it), password from its env. */
  const inPod = (pod: string, conninfo: string, sql: string) =>
    cluster.kubectl([
      'exec',
      '-n',
      NS,
      pod,
      '-c',
      'postgres',
      '--',
      'sh',
      '-c',
      `PGPASSWORD="$PATRONI_SUPERUSER_PASSWORD" psql "${conninfo}" -XAtc "${sql}"`,
    ]);

  before(async () => {
    cluster = await kubernetesCluster();
    stack = await kubernetesStack(cluster, 'tls', {
      namespace: NS,
      instances: '2',
      tls: JSON.stringify({
        required: true,
        days: 20,
        renewBeforeDays: 5,
        clientAuth: { users: ['reporting'] },
      }),
    });
    created = true;
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    appSecret = await secretOf(cluster, NS, `${NAME}-app`);
    app = await appUser(cluster, NS, NAME);
    writeFileSync(caFile, appSecret['ca.crt'] as string);
    writeFileSync(otherCaFile, (await createCa('another CA', 30)).certificate);
  });

  after(async () => {
    if (created) await stack.discard([NS]);
    else stack?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN the application Secret WHEN read THEN it holds the CA and URIs that ask verify-full with it', async () => {
    assert.match(appSecret['ca.crt'] as string, /^-----BEGIN CERTIFICATE-----/);
    const query = 'sslmode=verify-full&sslrootcert=/etc/pgcluster/app/ca.crt';
    assert.ok(appSecret.uri!.endsWith(`@${NAME}-rw.${NS}.svc:5432/app?${query}`), 'uri');
    assert.ok(appSecret['jdbc-uri']!.endsWith(`&${query}`), 'jdbc-uri');
    const outputs = await stack.outputs();
    assert.ok(String(outputs.connectionUri).endsWith(`/app?${query}`), 'the connectionUri output');
  });

  test('GIVEN the CA WHEN psql connects with verify-full to <name>-rw.<ns>.svc and the pooler from the node THEN both are TLS, the pooler to the primary too', async () => {
    const rw = psql(
      await byName(`${NAME}-rw`, `sslmode=verify-full sslrootcert=${caFile}`),
      'select pg_is_in_recovery(), ssl from pg_stat_ssl where pid = pg_backend_pid()',
      app,
    );
    assert.ok(rw.ok, rw.err);
    assert.equal(rw.out, 'f|t');
    const ro = psql(
      await byName(`${NAME}-ro`, `sslmode=verify-full sslrootcert=${caFile}`),
      'select pg_is_in_recovery(), ssl from pg_stat_ssl where pid = pg_backend_pid()',
      app,
    );
    assert.ok(ro.ok, ro.err);
    assert.equal(ro.out, 't|t');
    // psql verified the pooler's certificate; the backend serving it sees PgBouncer's connection on TLS.
    const pooled = psql(
      await byName(`${NAME}-pooler`, `sslmode=verify-full sslrootcert=${caFile}`),
      'select ssl from pg_stat_ssl where pid = pg_backend_pid()',
      app,
    );
    assert.ok(pooled.ok, pooled.err);
    assert.equal(pooled.out, 't');
  });

  test('GIVEN a pod WHEN it connects by the Service DNS names with verify-full THEN the cluster DNS names are in the certificate', async () => {
    const ca = 'sslrootcert=/etc/pgcluster/tls/ca.crt sslmode=verify-full user=postgres';
    for (const host of [
      `${NAME}-rw.${NS}.svc`,
      `${NAME}-r.${NS}.svc.cluster.local`,
      `${NAME}-2.${NAME}-members.${NS}.svc`,
    ])
      assert.equal(
        (
          await inPod(
            'orders-1',
            `host=${host} dbname=postgres ${ca}`,
            'select ssl from pg_stat_ssl where pid = pg_backend_pid()',
          )
        ).trim(),
        't',
        host,
      );
  });

  test('GIVEN the replicas WHEN the primary lists its replication connections THEN each is TLS on the replicator certificate', async () => {
    const [primary] = await labelledPrimary(cluster, NS, NAME);
    assert.ok(primary, 'a primary');
    const rows = await waitFor(
      'both replicas streaming',
      async () => {
        const out = (
          await inPod(
            primary,
            'host=/var/run/postgresql dbname=postgres user=postgres',
            "select r.usename || ' ' || s.ssl || ' ' || coalesce(s.client_dn, '-') from pg_stat_replication r join pg_stat_ssl s using (pid) where r.state = 'streaming'",
          )
        )
          .trim()
          .split('\n')
          .filter(Boolean);
        return out.length === PODS.length - 1 ? out : undefined;
      },
      120_000,
    );
    assert.deepEqual(rows, ['replicator true /CN=replicator']);
  });

  test('GIVEN a wrong CA or no TLS WHEN psql connects THEN verification fails and plaintext is refused', async () => {
    for (const service of [`${NAME}-rw`, `${NAME}-pooler`]) {
      const wrong = psql(
        await byName(service, `sslmode=verify-full sslrootcert=${otherCaFile}`),
        'select 1',
        app,
      );
      assert.ok(!wrong.ok && /certificate verify failed/.test(wrong.err), `${service}: ${wrong.err}`);
    }
    const plain = psql(await byName(`${NAME}-rw`, 'sslmode=disable'), 'select 1', app);
    assert.ok(!plain.ok && /no pg_hba.conf entry .* no encryption/.test(plain.err), plain.err);
    const pooledPlain = psql(await byName(`${NAME}-pooler`, 'sslmode=disable'), 'select 1', app);
    assert.ok(!pooledPlain.ok, 'the pooler refuses plaintext under tls.required');
  });

  test("GIVEN Patroni's REST API WHEN reached at each pod THEN it answers HTTPS only, verified by the cluster's CA and refused by another", async () => {
    const ca = appSecret['ca.crt'] as string;
    const other = (await createCa('another CA', 30)).certificate;
    for (const pod of PODS) {
      const ip = (
        await cluster.kubectl(['-n', NS, 'get', 'pod', pod, '-o', 'jsonpath={.status.podIP}'])
      ).trim();
      const servername = `${pod}.${NAME}-members.${NS}.svc`;
      const ok = await get(`https://${ip}:8008/cluster`, { ca, servername });
      assert.equal(ok.status, 200, `${pod}: ${ok.body}`);
      assert.deepEqual(
        (JSON.parse(ok.body) as { members: Array<{ name: string }> }).members.map((m) => m.name).sort(),
        PODS,
      );
      await assert.rejects(get(`http://${ip}:8008/cluster`), `${pod}: a plain http request fails`);
      await assert.rejects(
        get(`https://${ip}:8008/cluster`, { ca: other, servername }),
        /self[- ]signed|unable to verify|UNABLE_TO_VERIFY|unable to get local issuer/i,
        `${pod}: another CA does not verify it`,
      );
    }
    // The kubelet's probes speak HTTPS to it (they do not verify): the pods are ready.
    const probes = await cluster.kubectl([
      '-n',
      NS,
      'get',
      'statefulset',
      NAME,
      '-o',
      'jsonpath={.spec.template.spec.containers[0].readinessProbe.httpGet.scheme}',
    ]);
    assert.equal(probes.trim(), 'HTTPS');
  });

  test('GIVEN the pods WHEN their TLS files and ConfigMaps are inspected THEN keys are 0440, root-owned, postgres group, and in no ConfigMap', async () => {
    const modes = await cluster.kubectl([
      'exec',
      '-n',
      NS,
      'orders-1',
      '-c',
      'postgres',
      '--',
      'stat',
      '-L',
      '-c',
      '%n %a %u %g',
      '/etc/pgcluster/tls/tls.key',
      '/etc/pgcluster/tls/replicator.key',
    ]);
    assert.deepEqual(modes.trim().split('\n'), [
      '/etc/pgcluster/tls/tls.key 440 0 999',
      '/etc/pgcluster/tls/replicator.key 440 0 999',
    ]);
    const configMaps = await cluster.kubectl(['-n', NS, 'get', 'configmaps', '-o', 'yaml']);
    assert.doesNotMatch(configMaps, /PRIVATE KEY/);
    assert.match(
      configMaps,
      /ssl_cert_file: \/etc\/pgcluster\/tls\/tls.crt/,
      'the ConfigMaps are the rendered ones',
    );
  });

  test('GIVEN the stack WHEN its state is exported THEN no private key is in it in clear', async () => {
    const state = await stack.project.pulumiOk(['stack', 'export']);
    assert.match(state, /TlsCertificates/, 'the certificates are in the state');
    assert.doesNotMatch(state, /BEGIN (EC |RSA )?PRIVATE KEY/);
  });

  test('GIVEN the CLI WHEN status, uri and psql run against the cluster THEN the certificates show, the URIs ask verify-full, psql goes over TLS', async () => {
    const target = ['--kubeconfig', cluster.kubeconfig, '--context', 'pgcluster', '--namespace', NS];
    // The target goes before any `--` (what follows it is psql's).
    const run = (args: string[]) => {
      const end = args.indexOf('--');
      const at = end === -1 ? args.length : end;
      return cli(stack.sandbox.stateDir, [...args.slice(0, at), ...target, ...args.slice(at)]);
    };
    const status = await run(['status', NAME, '--json']);
    assert.equal(status.code, 0, status.stderr);
    const s = JSON.parse(status.stdout) as {
      endpoints: Record<string, string>;
      certificates: Array<{ name: string; daysLeft: number }>;
    };
    assert.deepEqual(
      s.certificates.map((c) => c.name),
      ['ca', 'server', 'replicator', 'rewinder'],
    );
    assert.equal(s.certificates.find((c) => c.name === 'server')?.daysLeft, 19);
    const query = 'sslmode=verify-full&sslrootcert=/etc/pgcluster/app/ca.crt';
    for (const key of ['rw', 'ro', 'r', 'pooler'])
      assert.ok(s.endpoints[key]!.endsWith(query), `${key}: ${s.endpoints[key]}`);
    const uri = await run(['uri', NAME]);
    assert.equal(uri.code, 0, uri.stderr);
    assert.match(
      uri.stdout.trim(),
      new RegExp(`@${NAME}-rw\\.${NS}\\.svc:5432/app\\?target_session_attrs=read-write&${query}$`),
    );
    const psqlRun = await run([
      'psql',
      NAME,
      '--',
      '-Atc',
      'select ssl from pg_stat_ssl where pid = pg_backend_pid()',
    ]);
    assert.equal(psqlRun.code, 0, psqlRun.stderr);
    assert.equal(psqlRun.stdout.trim(), 't');
    // psql's own conninfo asks verify-full with the cluster's CA: the environment's sslmode and
    // sslrootcert (plaintext, another CA) do not win over it, and the member is verified as 127.0.0.1.
    const pinned = await cli(
      stack.sandbox.stateDir,
      ['psql', NAME, ...target, '--', '-Atc', 'select ssl from pg_stat_ssl where pid = pg_backend_pid()'],
      undefined,
      { PGSSLMODE: 'disable', PGSSLROOTCERT: otherCaFile },
    );
    assert.equal(pinned.code, 0, pinned.stderr);
    assert.equal(pinned.stdout.trim(), 't');
    const ro = await cli(
      stack.sandbox.stateDir,
      ['psql', NAME, '--ro', ...target, '--', '-Atc', 'select pg_is_in_recovery()'],
      undefined,
      { PGSSLMODE: 'disable' },
    );
    assert.equal(ro.code, 0, ro.stderr);
    assert.equal(ro.stdout.trim(), 't');
  });

  test("GIVEN the generated CA in <name>-ca WHEN pgcluster certificate issues one THEN it logs in through a port-forward with verify-full and no password; another CA's does not; the pods cannot read the CA key", async () => {
    const target = ['--kubeconfig', cluster.kubeconfig, '--context', 'pgcluster', '--namespace', NS];
    const out = join(dir, 'reporting');
    const r = await cli(stack.sandbox.stateDir, [
      'certificate',
      NAME,
      '--user',
      'reporting',
      '--out',
      out,
      ...target,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /not in tls.clientAuth.users/);
    const files = {
      cert: join(out, 'reporting.crt'),
      key: join(out, 'reporting.key'),
      ca: join(out, 'ca.crt'),
    };
    const [primary] = await labelledPrimary(cluster, NS, NAME);
    const login = await certificateLogin(cluster, NS, primary!, files, 'reporting', 'reports');
    assert.ok(login.ok, login.err);
    assert.equal(login.out, 'reporting|t|/CN=reporting');
    const forged = await issueCertificate(await createCa('another CA', 30), {
      commonName: 'reporting',
      usage: 'client',
      days: 30,
    });
    writeFileSync(join(dir, 'forged.crt'), forged.certificate);
    writeFileSync(join(dir, 'forged.key'), forged.privateKey, { mode: 0o600 });
    const refused = await certificateLogin(
      cluster,
      NS,
      primary!,
      { cert: join(dir, 'forged.crt'), key: join(dir, 'forged.key'), ca: files.ca },
      'reporting',
      'reports',
    );
    assert.ok(!refused.ok, refused.out);
    // A role not in tls.clientAuth.users gets its certificate with the note that it will not log in.
    const app = await cli(stack.sandbox.stateDir, [
      'certificate',
      NAME,
      '--user',
      'app',
      '--out',
      join(dir, 'app'),
      ...target,
    ]);
    assert.equal(app.code, 0, app.stderr);
    assert.match(app.stderr, /app is not in tls.clientAuth.users/);
    // <name>-ca is a kubernetes.io/tls Secret that no pod mounts and the members' account cannot read.
    const type = await cluster.kubectl(['-n', NS, 'get', 'secret', `${NAME}-ca`, '-o', 'jsonpath={.type}']);
    assert.equal(type.trim(), 'kubernetes.io/tls');
    const can = spawnSync(
      KUBECTL,
      [
        '--kubeconfig',
        cluster.kubeconfig,
        'auth',
        'can-i',
        'get',
        `secret/${NAME}-ca`,
        '-n',
        NS,
        `--as=system:serviceaccount:${NS}:${NAME}`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(can.stdout.trim(), 'no', `${can.stdout} ${can.stderr}`);
  });

  test('GIVEN the HTTPS REST API WHEN pgcluster switchover --to the replica runs THEN it leads, Patroni labels it, status says so', async () => {
    const target = ['--kubeconfig', cluster.kubeconfig, '--context', 'pgcluster', '--namespace', NS];
    const [primary] = await labelledPrimary(cluster, NS, NAME);
    const to = PODS.find((p) => p !== primary)!;
    const r = await cli(stack.sandbox.stateDir, ['switchover', NAME, ...target, '--to', to]);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
    await waitFor(
      `${to} labelled primary`,
      async () => ((await labelledPrimary(cluster, NS, NAME)).join() === to ? true : undefined),
      60_000,
    );
    const status = await cli(stack.sandbox.stateDir, ['status', NAME, '--json', ...target]);
    assert.equal(status.code, 0, status.stderr);
    const s = JSON.parse(status.stdout) as { members: Array<{ name: string; role: string }> };
    assert.equal(s.members.find((m) => m.name === to)?.role, 'primary', status.stdout);
  });

  test('GIVEN a server certificate within renewBeforeDays WHEN up runs THEN a new one from the same CA is served after a reload, nothing restarts', async () => {
    const rwIp = await serviceIp(cluster, NS, `${NAME}-rw`);
    const poolerIp = await serviceIp(cluster, NS, `${NAME}-pooler`);
    const before = served(rwIp);
    const beforePooler = served(poolerIp);
    assert.ok(before.notAfter.getTime() - Date.now() < 21 * DAY_MS, 'the first certificate is for 20 days');
    const started = async (pod: string) =>
      (
        await inPod(
          pod,
          'host=/var/run/postgresql dbname=postgres user=postgres',
          'select pg_postmaster_start_time()',
        )
      ).trim();
    const postmasters = await Promise.all(PODS.map(started));
    const pods = async () =>
      (
        await cluster.kubectl([
          '-n',
          NS,
          'get',
          'pods',
          '-o',
          'jsonpath={range .items[*]}{.metadata.name}={.metadata.uid}/{.status.containerStatuses[*].restartCount}{"\\n"}{end}',
        ])
      ).trim();
    const podsBefore = await pods();
    // 19.99 days left < 30: the server certificate (and the client ones) are issued again, for 40 days.
    await stack.project.pulumiOk([
      'config',
      'set',
      'tls',
      JSON.stringify({ required: true, days: 40, renewBeforeDays: 30, clientAuth: { users: ['reporting'] } }),
    ]);
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    // `up` returned once every pod saw the new file and was reloaded.
    const after = served(rwIp);
    assert.notEqual(after.serial, before.serial);
    assert.ok(
      after.notAfter.getTime() - Date.now() > 39 * DAY_MS,
      `the new one is for 40 days: ${after.notAfter.toISOString()}`,
    );
    // Patroni's REST API serves the new one too: SIGHUP makes it re-read a certificate whose serial
    // changed, at its next loop (loop_wait), re-opening its listening socket.
    for (const pod of PODS) {
      const ip = (
        await cluster.kubectl(['-n', NS, 'get', 'pod', pod, '-o', 'jsonpath={.status.podIP}'])
      ).trim();
      let last = '';
      await waitFor(
        `${pod}'s REST API serving the new certificate`,
        async () => {
          const r = spawnSync(
            'bash',
            [
              '-c',
              `openssl s_client -connect ${ip}:8008 </dev/null 2>/dev/null | openssl x509 -noout -serial`,
            ],
            { encoding: 'utf8', timeout: 20_000 },
          );
          last = `${r.stdout} ${r.stderr}`;
          return /serial=(.*)/.exec(r.stdout)?.[1] === after.serial ? true : undefined;
        },
        60_000,
      ).catch((e: Error) => assert.fail(`${e.message}: ${last}`));
    }
    const afterPooler = served(poolerIp);
    assert.notEqual(afterPooler.serial, beforePooler.serial, 'PgBouncer serves the new certificate');
    assert.equal(afterPooler.serial, after.serial);
    assert.equal((await secretOf(cluster, NS, `${NAME}-app`))['ca.crt'], appSecret['ca.crt'], 'the same CA');
    // Clients that trust the CA keep working: verify-full with the CA file written before.
    const rw = psql(await byName(`${NAME}-rw`, `sslmode=verify-full sslrootcert=${caFile}`), 'select 1', app);
    assert.ok(rw.ok, rw.err);
    assert.deepEqual(await Promise.all(PODS.map(started)), postmasters, 'no postmaster restarted');
    assert.equal(await pods(), podsBefore, 'no pod replaced, no container restarted');
  });
});
