import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { generatePassword, SCRAM_ITERATIONS, scramVerifier } from './scram';

const VERIFIER = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/]{22}==)\$([A-Za-z0-9+/]{43}=):([A-Za-z0-9+/]{43}=)$/;

function parts(verifier: string) {
  const match = VERIFIER.exec(verifier);
  assert.ok(match, `not a SCRAM-SHA-256 verifier: ${verifier}`);
  const [, iterations, salt, storedKey, serverKey] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    iterations: Number(iterations),
    salt,
    storedKey: Buffer.from(storedKey, 'base64'),
    serverKey: Buffer.from(serverKey, 'base64'),
  };
}

/**
 * RFC 7677 section 3: user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations.
 * The RFC gives the client proof and the server signature of one exchange; a verifier is right when
 * its ServerKey reproduces the server signature and its StoredKey accepts the client proof.
 */
const RFC7677 = {
  password: 'pencil',
  salt: 'W22ZaJ0SNY7soEsUEjb6gQ==',
  authMessage:
    'n=user,r=rOprNGfwEbeRWgbNEkqO,' +
    'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,' +
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  clientProof: 'dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverSignature: '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

describe('scramVerifier', () => {
  test('GIVEN the RFC 7677 password and salt WHEN a verifier is made THEN its ServerKey yields the RFC server signature', () => {
    const { serverKey } = parts(scramVerifier(RFC7677.password, Buffer.from(RFC7677.salt, 'base64')));
    const signature = createHmac('sha256', serverKey).update(RFC7677.authMessage).digest('base64');
    assert.equal(signature, RFC7677.serverSignature);
  });

  test('GIVEN the RFC 7677 password and salt WHEN a verifier is made THEN its StoredKey accepts the RFC client proof', () => {
    const { storedKey } = parts(scramVerifier(RFC7677.password, Buffer.from(RFC7677.salt, 'base64')));
    const clientSignature = createHmac('sha256', storedKey).update(RFC7677.authMessage).digest();
    const proof = Buffer.from(RFC7677.clientProof, 'base64');
    const clientKey = Buffer.from(proof.map((byte, i) => byte ^ (clientSignature[i] ?? 0)));
    assert.deepEqual(createHash('sha256').update(clientKey).digest(), storedKey);
  });

  test("GIVEN a password WHEN a verifier is made THEN it has pg_authid's format with 4096 iterations and a 16-byte salt", () => {
    const { iterations, salt } = parts(scramVerifier('s3cret'));
    assert.equal(iterations, SCRAM_ITERATIONS);
    assert.equal(Buffer.from(salt, 'base64').length, 16);
  });

  test('GIVEN the same password and salt WHEN made twice THEN the verifiers are equal', () => {
    const salt = Buffer.alloc(16, 1);
    assert.equal(scramVerifier('s3cret', salt), scramVerifier('s3cret', salt));
  });

  test('GIVEN a different salt or password WHEN made THEN the verifier differs', () => {
    const salt = Buffer.alloc(16, 1);
    const base = scramVerifier('s3cret', salt);
    assert.notEqual(scramVerifier('s3cret', Buffer.alloc(16, 2)), base);
    assert.notEqual(scramVerifier('s3cret!', salt), base);
    assert.notEqual(scramVerifier('s3cret'), scramVerifier('s3cret'), 'the default salt is random');
  });

  test('GIVEN passwords that differ only in Unicode normalization WHEN made THEN the verifiers are equal (SASLprep-like NFKC)', () => {
    const salt = Buffer.alloc(16, 3);
    assert.equal(scramVerifier('caf\u00e9', salt), scramVerifier('cafe\u0301', salt));
  });
});

describe('generatePassword', () => {
  test('GIVEN two calls WHEN passwords are generated THEN they are 32 URL-safe characters and differ', () => {
    const [a, b] = [generatePassword(), generatePassword()];
    assert.match(a, /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(a, b);
  });
});
