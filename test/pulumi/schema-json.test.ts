/**
 * schema.json is generated, never edited: the checked-in file is exactly what `scripts/schema.ts`
 * writes from the zod schemas, and `--check` says so (exit 0) or shows the difference (exit 1).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pgclusterSchemaText } from '../../provider/schema/pgcluster';
import { pulumiSchemaProblems } from '../helpers/pulumi-package-schema';

const ROOT = resolve(__dirname, '..', '..');

describe('schema.json', () => {
  const onDisk = readFileSync(join(ROOT, 'schema.json'), 'utf8');

  test('GIVEN the zod schemas and package.json WHEN generated THEN the text equals the checked-in schema.json', () => {
    const { version, description, license } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(onDisk, pgclusterSchemaText({ version, description, license }), 'run `npm run schema`');
  });

  test('GIVEN the checked-in schema.json THEN it passes the metaschema rules', () => {
    assert.deepEqual(pulumiSchemaProblems(JSON.parse(onDisk)), []);
  });

  test('GIVEN an up-to-date schema.json WHEN `scripts/schema.ts --check` runs THEN it exits 0', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/schema.ts', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /schema\.json is up to date/);
  });
});
