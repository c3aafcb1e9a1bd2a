import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec } from '../spec';
import { pbkdf2Sync } from 'node:crypto';
import { roleVerifier, SCRAM_ITERATIONS, scramVerifier } from '../secrets/scram';
import { poolerRoles, poolerUsersFrom } from './pooler-users';

const roles = parseSpec({
  name: 'c',
  roles: [
    { name: 'group' },
    { name: 'zed', login: true, password: { fromEnv: 'Z' } },
    { name: 'ann', login: true, password: { fromEnv: 'A' } },
    { name: 'nopw', login: true },
    { name: 'gone', login: true, ensure: 'absent' },
    { name: 'root', login: true, superuser: true, password: { fromEnv: 'R' } },
  ],
}).roles;

describe('pooler users', () => {
  test('GIVEN roles[] WHEN the pooler users are chosen THEN present login roles with a password that are not superusers, sorted', () => {
    assert.deepEqual(poolerRoles(roles), ['ann', 'zed']);
  });

  test('GIVEN resolved passwords WHEN rendered THEN each gets the verifier pgcluster sets; a missing password leaves it out', () => {
    const users = poolerUsersFrom(roles, new Map([['ann', 'pw-a']]));
    assert.deepEqual(users, [{ user: 'ann', secret: roleVerifier('ann', 'pw-a') }]);
  });

  test('GIVEN a role and password WHEN its verifier is computed twice THEN the same, and it differs per role and from a random salt', () => {
    assert.equal(roleVerifier('ann', 'pw'), roleVerifier('ann', 'pw'));
    assert.notEqual(roleVerifier('ann', 'pw'), roleVerifier('bob', 'pw'));
    assert.notEqual(roleVerifier('ann', 'pw'), scramVerifier('pw'));
    const salt = roleVerifier('ann', 'pw').split('$')[1]!.split(':')[1];
    const slow = pbkdf2Sync('pw', 'pgcluster:role:ann', SCRAM_ITERATIONS, 16, 'sha256').toString('base64');
    assert.equal(salt, slow, 'the public salt is as slow to derive as the key: no faster oracle for a guess');
    assert.match(
      roleVerifier('ann', 'pw'),
      /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/,
    );
  });
});
