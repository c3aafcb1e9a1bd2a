/**
 * File snapshots for generated text: `test/fixtures/render/<name>.snap`. A missing snapshot is
 * written (and the test passes) except under CI, where it fails; UPDATE_SNAPSHOTS=1 rewrites them.
 * Review and commit the .snap files like code.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SNAPSHOT_DIR = join(__dirname, '..', 'fixtures', 'render');

/** Compares `text` with `<dir>/<name><ext>` (the render snapshots by default). */
export function matchSnapshot(
  name: string,
  text: string,
  where: { dir: string; ext: string } = { dir: SNAPSHOT_DIR, ext: '.snap' },
): void {
  const file = join(where.dir, `${name}${where.ext}`);
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
  mkdirSync(where.dir, { recursive: true });
  writeFileSync(file, text);
}
