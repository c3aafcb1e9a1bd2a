import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLsn, lsnDiff, lsnReached, parseLsn } from './lsn';

describe('WAL positions', () => {
  const cases: Array<[string, bigint]> = [
    ['0/0', 0n],
    ['0/3000060', 0x3000060n],
    ['16/B374D848', (0x16n << 32n) + 0xb374d848n],
    ['FFFFFFFF/FFFFFFFF', (1n << 64n) - 1n],
  ];
  for (const [text, value] of cases) {
    test(`GIVEN ${text} WHEN parsed THEN it is ${value}`, () => assert.equal(parseLsn(text), value));
    test(`GIVEN ${value} bytes WHEN formatted THEN it is ${text}`, () =>
      assert.equal(formatLsn(value), text.toUpperCase()));
  }

  test('GIVEN two positions across the 4 GB boundary WHEN compared THEN the high word counts', () => {
    assert.equal(lsnDiff('1/0', '0/FFFFFFFF'), 1n);
    assert.equal(lsnReached('1/0', '0/FFFFFFFF'), true);
    assert.equal(lsnReached('0/FFFFFFFF', '1/0'), false);
    assert.equal(lsnReached('0/5', '0/5'), true);
  });

  test('GIVEN text that is no position WHEN parsed THEN it is refused, naming it', () => {
    assert.throws(() => parseLsn('0-5'), /not a WAL position: "0-5"/);
  });
});
