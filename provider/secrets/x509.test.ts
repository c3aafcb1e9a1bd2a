import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { certificateFacts, createCa, daysLeft, issueCertificate } from './x509';

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('x509: certificates pgcluster issues', () => {
  test('GIVEN a CA and a server and a client certificate WHEN openssl verifies them THEN each is valid for its purpose only', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'pgc-x509-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const ca = await createCa('pgcluster orders CA', 3650);
    const server = await issueCertificate(ca, {
      commonName: 'orders-members',
      dnsNames: ['*.orders-members.db.svc', 'localhost'],
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
      days: 365,
    });
    const client = await issueCertificate(ca, { commonName: 'pgcluster-backup', usage: 'client', days: 365 });
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text, { mode: 0o600 });
      return join(dir, name);
    };
    const caFile = file('ca.crt', ca.certificate);
    const serverFile = file('server.crt', server.certificate);
    const clientFile = file('client.crt', client.certificate);
    assert.match(openssl(['verify', '-CAfile', caFile, '-purpose', 'sslserver', serverFile]), /: OK/);
    assert.match(openssl(['verify', '-CAfile', caFile, '-purpose', 'sslclient', clientFile]), /: OK/);
    assert.throws(
      () => openssl(['verify', '-CAfile', caFile, '-purpose', 'sslclient', serverFile]),
      /unsuitable certificate purpose/,
    );
    assert.throws(
      () => openssl(['verify', '-CAfile', caFile, '-purpose', 'sslserver', clientFile]),
      /unsuitable certificate purpose/,
    );
    // The key is a PKCS#8 EC key that matches the certificate.
    const keyFile = file('server.key', server.privateKey);
    const fromKey = openssl(['pkey', '-in', keyFile, '-pubout']);
    const fromCert = openssl(['x509', '-in', serverFile, '-noout', '-pubkey']);
    assert.equal(fromKey, fromCert);
    assert.match(server.privateKey, /^-----BEGIN PRIVATE KEY-----\n/);
    const san = openssl(['x509', '-in', serverFile, '-noout', '-ext', 'subjectAltName']);
    assert.match(san, /DNS:\*\.orders-members\.db\.svc, DNS:localhost, IP Address:127\.0\.0\.1/);
  });

  test('GIVEN the server certificate WHEN a TLS client verifies it against the CA THEN a wildcard name is accepted and another name is refused', async (t) => {
    const ca = await createCa('pgcluster test CA', 30);
    const server = await issueCertificate(ca, {
      commonName: 'orders-members',
      dnsNames: ['*.orders-members.db.svc'],
      usage: 'server',
      days: 30,
    });
    const client = await issueCertificate(ca, { commonName: 'pgcluster-backup', usage: 'client', days: 30 });
    const peers: string[] = [];
    const srv = tls.createServer(
      {
        cert: server.certificate,
        key: server.privateKey,
        ca: ca.certificate,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket) => {
        peers.push(socket.getPeerCertificate().subject.CN as string);
        socket.end('ok');
      },
    );
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    t.after(() => srv.close());
    const port = (srv.address() as AddressInfo).port;
    const connect = (servername: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = tls.connect({
          host: '127.0.0.1',
          port,
          servername,
          ca: ca.certificate,
          cert: client.certificate,
          key: client.privateKey,
        });
        let data = '';
        socket.on('data', (d) => (data += d));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
    assert.equal(await connect('orders-2.orders-members.db.svc'), 'ok');
    assert.deepEqual(peers, ['pgcluster-backup']);
    await assert.rejects(connect('orders-2.other.db.svc'), /does not match certificate's altnames/);
  });

  test('GIVEN a certificate WHEN its facts are read THEN names, issuer and expiry are what was asked', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const ca = await createCa('pgcluster facts CA', 3650, now);
    const cert = await issueCertificate(ca, {
      commonName: 'x',
      dnsNames: ['a.example'],
      ipAddresses: ['10.0.0.1'],
      usage: 'both',
      days: 90,
      now,
    });
    const facts = certificateFacts(cert.certificate);
    assert.equal(facts.subject, 'CN=x');
    assert.equal(facts.issuer, 'CN=pgcluster facts CA');
    assert.deepEqual(facts.dnsNames, ['a.example']);
    assert.deepEqual(facts.ipAddresses, ['10.0.0.1']);
    assert.equal(facts.notAfter.toISOString(), '2026-04-01T00:00:00.000Z');
    assert.equal(Math.round(daysLeft(cert.certificate, new Date('2026-03-02T00:00:00Z'))), 30);
    // Two issues never share a serial number.
    const again = await issueCertificate(ca, { commonName: 'x', usage: 'both', days: 90, now });
    assert.notEqual(certificateFacts(again.certificate).serialNumber, facts.serialNumber);
  });
});
