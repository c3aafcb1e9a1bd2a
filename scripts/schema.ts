/**
 * Writes schema.json (the Pulumi package schema) from the zod schemas, or with `--check` exits 1,
 * showing the difference, when the checked-in schema.json is stale.
 *   node --import tsx scripts/schema.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pgclusterSchemaText } from '../provider/schema/pgcluster';
import { describeTextChange } from '../provider/schema/text-diff';

const ROOT = resolve(__dirname, '..');
const SCHEMA_FILE = join(ROOT, 'schema.json');

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

const { version, description, license } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const text = pgclusterSchemaText({ version, description, license });

if (process.argv.includes('--check')) {
  const current = readOrEmpty(SCHEMA_FILE);
  if (current !== text) {
    console.error(`schema.json is stale: run \`npm run schema\` and commit the result.\n`);
    console.error(describeTextChange(current, text));
    process.exit(1);
  }
  console.log('schema.json is up to date');
} else {
  writeFileSync(SCHEMA_FILE, text);
  console.log(`wrote ${SCHEMA_FILE}`);
}
