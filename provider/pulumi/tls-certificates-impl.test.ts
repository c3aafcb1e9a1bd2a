/** TlsCertificates: what a later `up` issues again, and that renewals keep the CA. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { certificateFacts, createCa, issueCertificate } from '../secrets/x509';
import { create, diff, issue, renewals, update, type Outs } from './tls-certificates-impl';

const props = {
  caName: 'orders CA',
  server: {
    commonName: 'orders-rw',
    dnsNames: ['orders-rw', 'orders-rw.db.svc'],
    ipAddresses: ['127.0.0.1'],
  },
  clients: ['replicator', 'rewinder'],
  days: 365,
  renewBeforeDays: 30,
};

describe('TlsCertificates', () => {
  test('GIVEN a new resource WHEN created THEN the CA signs a server certificate with the names and a client certificate per role', async () => {
    const { outs } = (await create(props)) as { outs: Outs };
    const ca = new X509Certificate(outs.caCert);
    const server = new X509Certificate(outs.serverCert);
    assert.ok(server.verify(ca.publicKey));
    assert.ok(server.checkHost('orders-rw.db.svc'));
    assert.ok(server.checkIP('127.0.0.1'));
    for (const cn of props.clients) {
      const client = new X509Certificate(outs.clientCerts[cn]!);
      assert.ok(client.verify(ca.publicKey));
      assert.match(client.subject, new RegExp(`CN=${cn}`));
      assert.match(outs.clientKeys[cn]!, /BEGIN PRIVATE KEY/);
    }
    assert.equal(outs.serverNotAfter, certificateFacts(outs.serverCert).notAfter.toISOString());
  });

  test('GIVEN unchanged inputs WHEN diffed THEN nothing changes', async () => {
    const { outs } = (await create(props)) as { outs: Outs };
    assert.deepEqual(await diff('id', outs, props), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  test('GIVEN a server certificate within renewBeforeDays WHEN updated THEN a new one from the same CA, clients kept', async () => {
    const old = await issue({ ...props, days: 10 }, {}, { ca: true, server: true, clients: props.clients });
    assert.deepEqual(renewals(old, props), { ca: false, server: true, clients: ['replicator', 'rewinder'] });
    const d = await diff('id', old, props);
    assert.equal(d.changes, true);
    assert.deepEqual(d.replaces, []);
    const { outs } = (await update('id', old, props)) as { outs: Outs };
    assert.equal(outs.caCert, old.caCert, 'the CA is kept');
    assert.notEqual(outs.serverCert, old.serverCert);
    assert.ok(new X509Certificate(outs.serverCert).verify(new X509Certificate(old.caCert).publicKey));
    assert.ok(Date.parse(outs.serverNotAfter) > Date.parse(old.serverNotAfter));
  });

  test('GIVEN new server names WHEN updated THEN only the server certificate is issued again', async () => {
    const { outs: old } = (await create(props)) as { outs: Outs };
    const news = { ...props, server: { ...props.server, dnsNames: [...props.server.dnsNames, 'orders-ro'] } };
    assert.deepEqual(renewals(old, news), { ca: false, server: true, clients: [] });
    const { outs } = (await update('id', old, news)) as { outs: Outs };
    assert.ok(new X509Certificate(outs.serverCert).checkHost('orders-ro'));
    assert.deepEqual(outs.clientCerts, old.clientCerts);
  });

  test('GIVEN another CA name WHEN diffed THEN the resource is replaced (every certificate anew)', async () => {
    const { outs } = (await create(props)) as { outs: Outs };
    const d = await diff('id', outs, { ...props, caName: 'other CA' });
    assert.deepEqual(d.replaces, ['caName']);
  });

  test('GIVEN your CA and server pair WHEN created THEN the clients are signed by your CA and your pair is served as it is', async () => {
    const ca = await createCa('my CA', 100);
    const ownServer = await issueCertificate(ca, {
      commonName: 'mine',
      dnsNames: ['x'],
      usage: 'server',
      days: 50,
    });
    const { outs } = (await create({ ...props, ca, ownServer })) as { outs: Outs };
    assert.equal(outs.caCert, ca.certificate);
    assert.equal(outs.serverCert, ownServer.certificate);
    assert.equal(outs.serverKey, ownServer.privateKey);
    const caCert = new X509Certificate(ca.certificate);
    for (const cn of props.clients)
      assert.ok(new X509Certificate(outs.clientCerts[cn]!).verify(caCert.publicKey));
    // Unchanged: nothing to do, even within renewBeforeDays of your server certificate's end.
    const same = { ...props, ca, ownServer, renewBeforeDays: 60 };
    assert.deepEqual(renewals({ ...outs, renewBeforeDays: 60 }, same), {
      ca: false,
      server: false,
      clients: [],
    });
    // Another CA of yours: an update (not a replacement) signing everything anew.
    const other = await createCa('my other CA', 100);
    const d = await diff('id', outs, { ...props, ca: other });
    assert.equal(d.changes, true);
    assert.deepEqual(d.replaces, []);
    const { outs: next } = (await update('id', outs, { ...props, ca: other })) as { outs: Outs };
    assert.equal(next.caCert, other.certificate);
    assert.ok(new X509Certificate(next.serverCert).verify(new X509Certificate(other.certificate).publicKey));
  });
});
