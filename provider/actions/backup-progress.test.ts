import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backupPercent } from './backup-progress';

const text = (status: string) =>
  `stanza: orders\n    status: ${status}\n    cipher: none\n\n    db (current)\n        wal archive min/max (15): 000000010000000000000001/000000010000000000000020\n`;

describe("a running backup's percentage, from pgBackRest 2.45's info", () => {
  const CASES: ReadonlyArray<[string, string, number | undefined]> = [
    [
      'a first backup at 45.23%',
      text('error (no valid backups) (backup/expire running - 45.23% complete)'),
      45.23,
    ],
    ['a later backup at 7.05%', text('ok (backup/expire running - 7.05% complete)'), 7.05],
    ['a backup that has not recorded a percentage yet', text('ok (backup/expire running)'), undefined],
    ['no backup running', text('ok'), undefined],
    ['an error', 'ERROR: [055]: unable to load info file', undefined],
  ];
  for (const [given, output, pct] of CASES) {
    test(`GIVEN ${given} WHEN read THEN ${pct === undefined ? 'no percentage' : `${pct}%`}`, () => {
      assert.equal(backupPercent(output), pct);
    });
  }
});
