import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { selects, type LabelSelector } from './kubernetes';

const POD = { 'cluster-name': 'orders', 'app.kubernetes.io/component': 'database' };

describe('policy label selectors', () => {
  const cases: Array<[string, LabelSelector | undefined, boolean]> = [
    ['matching labels', { matchLabels: { 'cluster-name': 'orders' } }, true],
    ['a label with another value', { matchLabels: { 'cluster-name': 'other' } }, false],
    ['a missing label', { matchLabels: { extra: 'x' } }, false],
    ['In', { matchExpressions: [{ key: 'cluster-name', operator: 'In', values: ['a', 'orders'] }] }, true],
    ['NotIn', { matchExpressions: [{ key: 'cluster-name', operator: 'NotIn', values: ['orders'] }] }, false],
    ['Exists', { matchExpressions: [{ key: 'cluster-name', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'cluster-name', operator: 'DoesNotExist' }] }, false],
    [
      'an unknown operator',
      { matchExpressions: [{ key: 'cluster-name', operator: 'Gt', values: ['1'] }] },
      false,
    ],
    ['an empty selector', {}, false],
    ['no selector', undefined, false],
  ];
  for (const [what, selector, expected] of cases)
    test(`GIVEN ${what} WHEN matched against the member pod labels THEN ${expected}`, () => {
      assert.equal(selects(selector, POD), expected);
    });
});
