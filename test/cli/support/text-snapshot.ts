/**
 * What the CLI prints, as text files under test/fixtures/cli/<name>.txt: written when missing
 * (except under CI, where a missing one fails), rewritten with UPDATE_SNAPSHOTS=1. Review them
 * like code: they are the messages a person reads.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(__dirname, '..', '..', 'fixtures', 'cli');

export function matchText(name: string, text: string): void {
  const file = join(DIR, `${name}.txt`);
  const update = process.env.UPDATE_SNAPSHOTS === '1';
  if (!update && existsSync(file)) {
    assert.equal(
      text,
      readFileSync(file, 'utf8'),
      `${file} differs: review, then rerun with UPDATE_SNAPSHOTS=1`,
    );
    return;
  }
  if (!update && process.env.CI) assert.fail(`${file} is missing: run the tests locally and commit it`);
  mkdirSync(DIR, { recursive: true });
  writeFileSync(file, text);
}

/** Replaces what changes from run to run: the state dir, elapsed times, durations, PIDs. */
export function stable(text: string, replacements: Record<string, string> = {}): string {
  let out = text;
  for (const [from, to] of Object.entries(replacements)) out = out.split(from).join(to);
  return out.replace(/\[\s*\d+\.\d+s\]/g, '[ T ]').replace(/\b\d+\.\d+ s\b/g, 'N s');
}
