import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PRODUCTION_STACKS, matchesStackPattern, stackOfUrn } from './stack';

describe('policy stacks', () => {
  test('GIVEN URNs WHEN the stack is read THEN it is the text between "urn:pulumi:" and "::"', () => {
    assert.equal(stackOfUrn('urn:pulumi:prod::shop::pgcluster:index:PostgresCluster::orders'), 'prod');
    assert.equal(stackOfUrn('urn:pulumi:dev-eu.1::p::a$b::n'), 'dev-eu.1');
    assert.equal(stackOfUrn('not-a-urn'), undefined);
  });

  const cases: Array<[string, readonly string[], boolean]> = [
    ['prod', DEFAULT_PRODUCTION_STACKS, true],
    ['prod-eu', DEFAULT_PRODUCTION_STACKS, true],
    ['production', DEFAULT_PRODUCTION_STACKS, true],
    ['PROD', DEFAULT_PRODUCTION_STACKS, true],
    ['preprod', DEFAULT_PRODUCTION_STACKS, false],
    ['dev', DEFAULT_PRODUCTION_STACKS, false],
    ['prod.eu', ['prod.eu'], true],
    ['prodXeu', ['prod.eu'], false],
    ['a+b', ['a+b'], true],
    ['eu-live', ['*-live'], true],
    ['live', ['*-live'], false],
    ['p1', ['p?'], true],
    ['p12', ['p?'], false],
    ['anything', [], false],
  ];
  for (const [stack, patterns, expected] of cases)
    test(`GIVEN patterns ${JSON.stringify(patterns)} WHEN stack ${stack} is matched THEN ${expected}`, () => {
      assert.equal(matchesStackPattern(stack, patterns), expected);
    });
});
