/**
 * `tls.ca: {secret: NAME}` on the real single-node Kubernetes: a CA of the test's own in a
 * kubernetes.io/tls Secret of the cluster's namespace (as cert-manager writes a CA). A preview naming
 * a Secret that is not there fails naming the Secret and the namespace, before anything is created;
 * one with tls.crt only exits non-zero promptly (bounded), naming the Secret and the missing tls.key.
 * With the real one, examples/kubernetes comes up with server certificates that CA signed: psql
 * verifies `<name>-rw.<ns>.svc` with it (verify-full), the application Secret carries it, its key is
 * not in the `<name>-tls` Secret nor in clear in the state; `pgcluster certificate` and the
 * program's ClientCertificate resource (kubernetes: {namespace}) sign from it, and both log in.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa } from '../../provider/secrets/x509';
import { kubernetesCluster, type Cluster } from './support/cluster';
import { kubernetesStack, type KubernetesStack } from './support/stack';
import { appUser, byServiceName, labelledPrimary, psql, secretOf } from './support/reach';
import { certificateLogin } from './support/cert-login';
import { cli } from '../helpers/cli';
import { issueCertificate } from '../../provider/secrets/x509';

const NS = 'pgc-tls-ca-secret';
const NAME = 'orders';
const CA_SECRET = 'orders-issuer-ca';
/** A preview that refuses the spec exits well within this (it hung before it was bounded and fixed). */
const PREVIEW_BOUND_MS = 120_000;

describe('tls.ca from a Kubernetes Secret on a real single-node Kubernetes', () => {
  let cluster: Cluster;
  let stack: KubernetesStack;
  let created = false;
  let ca: { certificate: string; privateKey: string };
  const dir = mkdtempSync(join(tmpdir(), 'pgc-k8s-tls-ca-secret-'));
  const caFile = join(dir, 'ca.crt');

  const tlsSecret = (data: Record<string, string>, type = 'kubernetes.io/tls') =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: CA_SECRET, namespace: NS },
      type,
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    });

  before(async () => {
    cluster = await kubernetesCluster();
    ca = await createCa('the issuer CA', 30);
    writeFileSync(caFile, ca.certificate);
    // The namespace exists before the stack (the Secret lives in it); the example's Namespace adopts it.
    await cluster.kubectl(['create', 'namespace', NS]);
    stack = await kubernetesStack(cluster, 'tls-ca-secret', {
      namespace: NS,
      instances: '2',
      tls: JSON.stringify({
        required: true,
        ca: { secret: CA_SECRET },
        clientAuth: { users: ['reporting'] },
      }),
      // A ClientCertificate resource of the program, signed from that Secret (examples/kubernetes).
      certificateUser: 'reporting',
    });
    created = true;
  });

  after(async () => {
    if (created) await stack.discard([NS]);
    else stack?.remove();
    if (!created) await cluster?.kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
    rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN no such Secret WHEN previewed THEN it fails naming the Secret and the namespace', async () => {
    const run = await stack.project.pulumi(['preview']);
    assert.notEqual(run.code, 0, run.output);
    assert.match(run.output, new RegExp(`${NS}/${CA_SECRET}`), run.output);
  });

  test('GIVEN the Secret with tls.crt only WHEN previewed THEN preview exits non-zero promptly, naming the Secret, the missing key and what it must hold', async () => {
    // Opaque: the API server refuses a kubernetes.io/tls Secret without tls.key (a Secret's type is
    // immutable, so it is deleted after, for the next test's kubernetes.io/tls one).
    await cluster.kubectl(['apply', '-f', '-'], tlsSecret({ 'tls.crt': ca.certificate }, 'Opaque'));
    const started = Date.now();
    const run = await stack.project
      .pulumi(['preview'], { timeoutMs: PREVIEW_BOUND_MS })
      .finally(() => cluster.kubectl(['-n', NS, 'delete', 'secret', CA_SECRET, '--wait=true']));
    const seconds = (Date.now() - started) / 1000;
    assert.equal(
      run.timedOut,
      undefined,
      `preview did not exit within ${PREVIEW_BOUND_MS / 1000} s:\n${run.output}`,
    );
    assert.notEqual(run.code, 0, run.output);
    assert.ok(
      run.output.includes(
        `tls.ca.secret: Secret "${CA_SECRET}" in namespace "${NS}" has no tls.key: it must hold the CA's certificate as tls.crt and its private key as tls.key`,
      ),
      run.output,
    );
    assert.doesNotMatch(run.output, /BEGIN CERTIFICATE/, 'no value of the Secret in the output');
    process.stdout.write(`# preview refused in ${seconds.toFixed(1)} s\n`);
  });

  test('GIVEN the CA in a kubernetes.io/tls Secret WHEN up runs THEN psql verifies <name>-rw.<ns>.svc with it, and its key stays out of the cluster Secret and the state', async () => {
    await cluster.kubectl(
      ['apply', '-f', '-'],
      tlsSecret({ 'tls.crt': ca.certificate, 'tls.key': ca.privateKey }),
    );
    await stack.project.pulumiOk(['up', '--yes', '--skip-preview']);
    const app = await appUser(cluster, NS, NAME);
    const appSecret = await secretOf(cluster, NS, `${NAME}-app`);
    assert.equal(
      appSecret['ca.crt']?.trim(),
      ca.certificate.trim(),
      'the application Secret carries that CA',
    );
    const r = psql(
      await byServiceName(cluster, NS, `${NAME}-rw`, `sslmode=verify-full sslrootcert=${caFile}`),
      'select ssl from pg_stat_ssl where pid = pg_backend_pid()',
      app,
    );
    assert.ok(r.ok, r.err);
    assert.equal(r.out, 't');
    const tls = await secretOf(cluster, NS, `${NAME}-tls`);
    assert.equal(tls['ca.crt']?.trim(), ca.certificate.trim());
    assert.ok(
      !Object.values(tls).some((v) => v.includes(ca.privateKey.trim())),
      "the CA's key is not copied into <name>-tls",
    );
    const state = await stack.project.pulumiOk(['stack', 'export']);
    assert.doesNotMatch(state, /BEGIN (EC |RSA )?PRIVATE KEY/, 'no key in clear in the state');
  });

  test('GIVEN the CA in the Secret WHEN pgcluster certificate issues one for a cert user THEN it logs in through a port-forward with verify-full, and one from another CA does not', async () => {
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
    assert.doesNotMatch(r.stderr, /not in tls.clientAuth.users/, 'the role is admitted');
    const files = {
      cert: join(out, 'reporting.crt'),
      key: join(out, 'reporting.key'),
      ca: join(out, 'ca.crt'),
    };
    assert.ok(
      r.stdout.includes(`host=${NAME}-rw.${NS}.svc port=5432 user=reporting sslmode=verify-full`),
      r.stdout,
    );
    const { statSync, readFileSync } = await import('node:fs');
    assert.equal(statSync(files.key).mode & 0o777, 0o600);
    assert.equal(readFileSync(files.ca, 'utf8').trim(), ca.certificate.trim(), "signed by the Secret's CA");
    const [primary] = await labelledPrimary(cluster, NS, NAME);
    const login = await certificateLogin(cluster, NS, primary!, files, 'reporting', 'reports');
    assert.ok(login.ok, login.err);
    assert.equal(login.out, 'reporting|t|/CN=reporting');
    // The same CN from another CA is refused.
    const other = await createCa('another CA', 30);
    const forged = await issueCertificate(other, { commonName: 'reporting', usage: 'client', days: 30 });
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
    assert.match(refused.err, /certificate|SSL/i, refused.err);
  });
  test("GIVEN the program's ClientCertificate (kubernetes: {namespace}) WHEN up ran THEN the Secret's CA signed it, it logs in with cert auth and verify-full, one of another CA does not, and the state holds its key only as a secret", async () => {
    const outputs = await stack.outputs();
    const certificate = String(outputs.clientCertificate);
    const privateKey = String(outputs.clientKey);
    assert.equal(String(outputs.clientCa).trim(), ca.certificate.trim(), "ca is the Secret's CA certificate");
    const { X509Certificate } = await import('node:crypto');
    const x509 = new X509Certificate(certificate);
    assert.equal(x509.subject, 'CN=reporting');
    assert.ok(x509.verify(new X509Certificate(ca.certificate).publicKey), "signed by the Secret's CA");
    const files = {
      cert: join(dir, 'resource.crt'),
      key: join(dir, 'resource.key'),
      ca: join(dir, 'resource-ca.crt'),
    };
    writeFileSync(files.cert, certificate);
    writeFileSync(files.key, privateKey, { mode: 0o600 });
    writeFileSync(files.ca, String(outputs.clientCa));
    const [primary] = await labelledPrimary(cluster, NS, NAME);
    const login = await certificateLogin(cluster, NS, primary!, files, 'reporting', 'reports');
    assert.ok(login.ok, login.err);
    assert.equal(login.out, 'reporting|t|/CN=reporting');
    const other = await createCa('yet another CA', 30);
    const forged = await issueCertificate(other, { commonName: 'reporting', usage: 'client', days: 60 });
    writeFileSync(join(dir, 'forged2.crt'), forged.certificate);
    writeFileSync(join(dir, 'forged2.key'), forged.privateKey, { mode: 0o600 });
    const refused = await certificateLogin(
      cluster,
      NS,
      primary!,
      { cert: join(dir, 'forged2.crt'), key: join(dir, 'forged2.key'), ca: files.ca },
      'reporting',
      'reports',
    );
    assert.ok(!refused.ok, refused.out);
    assert.match(refused.err, /certificate|SSL/i, refused.err);
    // The state: the resource's key is ciphertext, nothing in it is a key in clear.
    const state = await stack.project.pulumiOk(['stack', 'export']);
    assert.doesNotMatch(state, /BEGIN (EC |RSA )?PRIVATE KEY/, 'no key in clear in the state');
    const body = privateKey.split('\n').filter((l) => l && !l.startsWith('-----'))[0]!;
    assert.ok(!state.includes(body), "the client key's base64 is not in the state");
    const resources = (
      JSON.parse(state) as {
        deployment: { resources: { type: string; outputs?: Record<string, unknown> }[] };
      }
    ).deployment.resources.filter((r) => r.type.endsWith(':ClientCertificate'));
    assert.equal(resources.length, 1);
    const stored = resources[0]!.outputs!;
    assert.ok(
      typeof stored.privateKey === 'object' &&
        stored.privateKey !== null &&
        'ciphertext' in stored.privateKey,
      `privateKey is a secret in the state: ${JSON.stringify(stored.privateKey)}`,
    );
    assert.equal(stored.certificate, certificate);
  });
});
