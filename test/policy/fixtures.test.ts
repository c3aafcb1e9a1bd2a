/**
 * The acceptance fixtures under mocks: the compliant program draws only the advisory backup
 * warning, the non-compliant one every expected refusal. The same expectations are checked
 * through the real engine by test/acceptance/policy.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { policies } from '../../policy/policies';
import { checkPack } from '../helpers/policy-args';
import { captureProgram } from '../helpers/policy-capture';
import { EXPECTED, FIXTURE_STACK } from './fixtures/expected';

describe('policy fixtures (mocks)', () => {
  test('GIVEN the compliant fixture in stack prod WHEN every policy runs THEN only the advisory backup warning remains', async () => {
    const resources = await captureProgram(() => import('./fixtures/compliant/index'), FIXTURE_STACK);
    const found = (await checkPack(policies, resources)).map(({ policy, level, message }) => ({
      policy,
      level,
      message,
    }));
    assert.deepEqual(found, EXPECTED.compliant);
  });

  test('GIVEN the non-compliant fixture in stack prod WHEN every policy runs THEN each expected refusal, and nothing else', async () => {
    const resources = await captureProgram(() => import('./fixtures/non-compliant/index'), FIXTURE_STACK);
    const found = (await checkPack(policies, resources)).map(({ policy, level, message }) => ({
      policy,
      level,
      message,
    }));
    assert.deepEqual(found, EXPECTED['non-compliant']);
  });
});
