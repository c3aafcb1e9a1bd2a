import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSecrets, readSecrets } from './state';

describe('the secrets of a local cluster', () => {
  test('GIVEN a new cluster WHEN its secrets are made THEN it has a superuser password of its own (0600)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgc-state-'));
    try {
      const file = join(dir, 'secrets.json');
      const secrets = ensureSecrets(file);
      assert.match(secrets.superuserPassword ?? '', /^.{20,}$/);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(ensureSecrets(file), secrets, 'kept');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('GIVEN a new replica cluster inheriting its source roles WHEN its secrets are made THEN they hold no superuser password at all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgc-state-'));
    try {
      const file = join(dir, 'secrets.json');
      const inherited = { replicationPassword: 'r', rewindPassword: 'w', appPassword: 'a', appVerifier: 'v' };
      const secrets = ensureSecrets(file, inherited);
      assert.equal('superuserPassword' in secrets, false);
      assert.equal('superuserPassword' in (readSecrets(file) ?? {}), false);
      assert.doesNotMatch(readFileSync(file, 'utf8'), /superuser/i);
      assert.equal(secrets.replicationPassword, 'r');
      assert.equal(secrets.appVerifier, 'v');
      assert.notEqual(secrets.poolerAdminPassword, undefined, 'its own pooler admin');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
