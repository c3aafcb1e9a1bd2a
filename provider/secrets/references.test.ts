import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSpec } from '../spec';
import { InputError } from '../errors';
import { resolvePasswords } from './references';

describe('resolvePasswords', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgc-pw-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'writer'), 'from-file\n');
  writeFileSync(join(dir, 'empty'), '\n');

  const spec = (roles: object[]) => parseSpec({ name: 'c', roles });

  test('GIVEN fromEnv and a relative fromFile WHEN resolved THEN both passwords, without the trailing newline', () => {
    const got = resolvePasswords(
      spec([
        { name: 'reader', password: { fromEnv: 'READER_PW' } },
        { name: 'writer', password: { fromFile: 'writer' } },
        { name: 'nopw' },
      ]),
      dir,
      { READER_PW: 'from-env' },
    );
    assert.deepEqual(
      [...got],
      [
        ['reader', 'from-env'],
        ['writer', 'from-file'],
      ],
    );
  });

  test('GIVEN a missing variable, a missing file and an empty file WHEN resolved THEN one InputError lists all three', () => {
    assert.throws(
      () =>
        resolvePasswords(
          spec([
            { name: 'a', password: { fromEnv: 'NOPE' } },
            { name: 'b', password: { fromFile: 'missing' } },
            { name: 'c', password: { fromFile: join(dir, 'empty') } },
          ]),
          dir,
          {},
        ),
      (e: unknown) =>
        e instanceof InputError &&
        /roles\[0\]\.password\.fromEnv: environment variable NOPE is not set/.test(e.message) &&
        /roles\[1\]\.password\.fromFile: cannot read .*missing \(ENOENT\)/.test(e.message) &&
        /roles\[2\]\.password: the password of "c" is empty/.test(e.message),
    );
  });
});
