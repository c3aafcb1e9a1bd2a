import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { quoteIdent, quoteLiteral, sqlInteger, UnsafeSqlValueError } from './quote';

/** Reads a quoted identifier back the way PostgreSQL's scanner does. */
function unquoteIdent(text: string): string {
  assert.match(text, /^"(?:[^"]|"")*"$/s);
  return text.slice(1, -1).replace(/""/g, '"');
}

/** Reads a literal back the way PostgreSQL does (standard_conforming_strings on; E'' escapes). */
function unquoteLiteral(text: string): string {
  if (text.startsWith("E'")) {
    assert.match(text, /^E'(?:[^'\\]|''|\\\\)*'$/s);
    return text.slice(2, -1).replace(/''/g, "'").replace(/\\\\/g, '\\');
  }
  assert.match(text, /^'(?:[^']|'')*'$/s);
  return text.slice(1, -1).replace(/''/g, "'");
}

const text = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\0'));
const name = text.filter((s) => s.length > 0 && Buffer.byteLength(s) <= 63);

describe('quoteIdent', () => {
  const CASES: ReadonlyArray<[string, string]> = [
    ['app', '"app"'],
    ['Mixed Case', '"Mixed Case"'],
    ['a"b', '"a""b"'],
    ['x"; DROP ROLE postgres; --', '"x""; DROP ROLE postgres; --"'],
    ['select', '"select"'],
    ['日本語', '"日本語"'],
  ];
  for (const [given, then] of CASES) {
    test(`GIVEN ${JSON.stringify(given)} WHEN quoted THEN ${then}`, () =>
      assert.equal(quoteIdent(given), then));
  }

  test('GIVEN any name of 1..63 bytes WHEN quoted THEN it reads back unchanged and matches pg.escapeIdentifier', () => {
    fc.assert(
      fc.property(name, (n) => {
        assert.equal(unquoteIdent(quoteIdent(n)), n);
        assert.equal(quoteIdent(n), escapeIdentifier(n));
      }),
    );
  });

  const REFUSED: ReadonlyArray<[string, string, RegExp]> = [
    ['an empty name', '', /must not be empty/],
    ['a NUL', 'a\0b', /NUL/],
    ['64 bytes', 'x'.repeat(64), /64 bytes; PostgreSQL names are at most 63/],
    ['32 two-byte characters', 'é'.repeat(32), /64 bytes/],
  ];
  for (const [given, value, says] of REFUSED) {
    test(`GIVEN ${given} WHEN quoted THEN refused (PostgreSQL would change it)`, () =>
      assert.throws(
        () => quoteIdent(value),
        (e: unknown) => e instanceof UnsafeSqlValueError && says.test(e.message),
      ));
  }
});

describe('quoteLiteral', () => {
  const CASES: ReadonlyArray<[string, string]> = [
    ['plain', "'plain'"],
    ["it's", "'it''s'"],
    ['back\\slash', "E'back\\\\slash'"],
    ["'; DROP TABLE x; --", "'''; DROP TABLE x; --'"],
  ];
  for (const [given, then] of CASES) {
    test(`GIVEN ${JSON.stringify(given)} WHEN quoted THEN ${then}`, () =>
      assert.equal(quoteLiteral(given), then));
  }

  test('GIVEN any text WHEN quoted THEN it reads back unchanged and equals pg.escapeLiteral (without its leading space)', () => {
    fc.assert(
      fc.property(text, (t) => {
        assert.equal(unquoteLiteral(quoteLiteral(t)), t);
        assert.equal(quoteLiteral(t), escapeLiteral(t).trimStart());
      }),
    );
  });

  test('GIVEN a NUL WHEN quoted THEN refused', () =>
    assert.throws(() => quoteLiteral('a\0'), UnsafeSqlValueError));
});

test('GIVEN a non-integer WHEN used as an SQL integer THEN refused', () => {
  assert.equal(sqlInteger(-1), '-1');
  assert.throws(() => sqlInteger(1.5), UnsafeSqlValueError);
  assert.throws(() => sqlInteger(Number.NaN), UnsafeSqlValueError);
});
