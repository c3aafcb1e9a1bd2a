#!/usr/bin/env node
// Runs the test suites with node's test runner and tsx: `unit` (co-located provider/**/*.test.ts),
// `integration` (test/integration: real etcd, Patroni, PostgreSQL, PgBouncer), or `all`.
// Extra arguments after the suite are passed to `node --test` (e.g. --test-name-pattern).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir, out = []) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry === 'node_modules') continue;
    if (statSync(path).isDirectory()) find(path, out);
    else if (entry.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

const [suite = 'all', ...rest] = process.argv.slice(2);
const only = rest.filter((a) => !a.startsWith('-'));
const flags = rest.filter((a) => a.startsWith('-'));
const suites = {
  unit: ['provider'],
  integration: ['test/integration'],
  all: ['provider', 'test/integration'],
};
if (!suites[suite]) {
  console.error(`unknown suite ${suite}: use unit, integration or all`);
  process.exit(2);
}
let files = suites[suite].flatMap((d) => find(d));
if (only.length > 0) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', ...flags, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
