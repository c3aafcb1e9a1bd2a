/** tls.ca.secret: the CA read from a Secret's data, and each refusal naming the Secret and the namespace. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCa } from '../secrets/x509';
import { caFromSecretData } from './kubernetes-tls-files';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('the CA of tls.ca.secret', () => {
  test('GIVEN a kubernetes.io/tls Secret WHEN read THEN its tls.crt and tls.key are the CA', async () => {
    const ca = await createCa('issuer', 30);
    assert.deepEqual(
      caFromSecretData('issuer-ca', 'db', { 'tls.crt': b64(ca.certificate), 'tls.key': b64(ca.privateKey) }),
      ca,
    );
  });

  test('GIVEN a key missing or not PEM WHEN read THEN the refusal names the Secret, the namespace and the key, not the value', async () => {
    const ca = await createCa('issuer', 30);
    assert.throws(
      () => caFromSecretData('issuer-ca', 'db', { 'tls.crt': b64(ca.certificate) }),
      /^Error: tls\.ca\.secret: Secret "issuer-ca" in namespace "db" has no tls\.key: /,
    );
    assert.throws(
      () => caFromSecretData('issuer-ca', 'db', undefined),
      /Secret "issuer-ca" in namespace "db" has no tls\.crt/,
    );
    assert.throws(
      () => caFromSecretData('issuer-ca', 'db', { 'tls.crt': b64('junk'), 'tls.key': b64(ca.privateKey) }),
      (e: Error) =>
        /Secret "issuer-ca" in namespace "db": tls\.crt is not a PEM certificate$/.test(e.message) &&
        !e.message.includes('junk'),
    );
  });
});
