/**
 * Quoting for SQL text that cannot take bind parameters (DDL). Pure: no `pg` import, so planners
 * and statement builders stay free of the client library. Same output as pg's escapeIdentifier /
 * escapeLiteral, plus refusals for what PostgreSQL would silently change.
 */

/** NAMEDATALEN - 1: PostgreSQL truncates longer names, which would make us manage another object. */
export const MAX_IDENTIFIER_BYTES = 63;

export class UnsafeSqlValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeSqlValueError';
  }
}

/** A double-quoted identifier: `a"b` -> `"a""b"`. Case, spaces, unicode and keywords are kept as written. */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new UnsafeSqlValueError('an SQL name must not be empty');
  if (name.includes('\0')) throw new UnsafeSqlValueError(`the name ${JSON.stringify(name)} contains NUL`);
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES)
    throw new UnsafeSqlValueError(
      `the name ${JSON.stringify(name)} is ${bytes} bytes; PostgreSQL names are at most ${MAX_IDENTIFIER_BYTES}`,
    );
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A string literal: quotes doubled; with a backslash, an E'' literal with backslashes doubled, so
 * the value is the same whatever standard_conforming_strings says.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new UnsafeSqlValueError('an SQL string must not contain NUL');
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

/** An integer for DDL clauses such as CONNECTION LIMIT. */
export function sqlInteger(value: number): string {
  if (!Number.isSafeInteger(value)) throw new UnsafeSqlValueError(`${value} is not an integer`);
  return String(value);
}
