import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fingerprintMatches, passwordFingerprint } from './fingerprint';

test('GIVEN any password WHEN fingerprinted THEN the fingerprint matches it and no other, and never contains it', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (password, other) => {
      const f = passwordFingerprint(password);
      assert.ok(fingerprintMatches(password, f));
      assert.equal(fingerprintMatches(other, f), other === password);
      assert.ok(password.length < 8 || !f.includes(password));
    }),
    { numRuns: 200 },
  );
});

test('GIVEN the same password twice WHEN fingerprinted THEN the salts differ', () => {
  assert.notEqual(passwordFingerprint('pw'), passwordFingerprint('pw'));
});

test('GIVEN no fingerprint or a malformed one WHEN compared THEN it never matches', () => {
  for (const f of [undefined, '', 'pw', 'hmac-sha256$x', 'SCRAM-SHA-256$4096:a$b:c', 'md5$a$b'])
    assert.equal(fingerprintMatches('pw', f), false);
});
