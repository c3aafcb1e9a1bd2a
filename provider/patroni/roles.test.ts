import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isRunningLeader } from './roles';

describe("Patroni 4.x leaders that serve (a primary cluster's and a replica cluster's)", () => {
  const cases: Array<[string, string, boolean]> = [
    ['leader', 'running', true],
    ['leader', 'streaming', false],
    ['leader', 'stopped', false],
    ['standby_leader', 'running', true],
    ['standby_leader', 'streaming', true],
    ['standby_leader', 'in archive recovery', true],
    ['standby_leader', 'starting', false],
    ['replica', 'streaming', false],
    ['replica', 'in archive recovery', false],
  ];
  for (const [role, state, serving] of cases)
    test(`GIVEN a ${role} ${state} WHEN judged THEN it is ${serving ? '' : 'not '}a serving leader`, () => {
      assert.equal(isRunningLeader({ role, state }), serving);
    });
});
