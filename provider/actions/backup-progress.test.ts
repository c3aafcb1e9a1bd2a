import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backupPercent } from './backup-progress';

const info = (lock: unknown) =>
  JSON.stringify([{ name: 'orders', status: { code: 0, lock: { backup: lock } } }]);

describe("a running backup's percentage, from pgBackRest's info", () => {
  const CASES: ReadonlyArray<[string, string, number | undefined]> = [
    ['a backup holding its lock at 45.23%', info({ held: true, 'pct-cplt': 4523 }), 45.23],
    ['no backup running', info({ held: false }), undefined],
    ['a lock without a percentage yet', info({ held: true }), undefined],
    ['no lock section', JSON.stringify([{ name: 'orders', status: { code: 0 } }]), undefined],
    ['not JSON', 'ERROR: [055]', undefined],
  ];
  for (const [given, json, pct] of CASES) {
    test(`GIVEN ${given} WHEN read THEN ${pct === undefined ? 'no percentage' : `${pct}%`}`, () => {
      assert.equal(backupPercent(json, 'orders'), pct);
    });
  }
});
