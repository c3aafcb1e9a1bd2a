import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { policies } from './policies';

describe('policy pack pgcluster', () => {
  test('GIVEN policies/*.ts WHEN compared with the pack THEN every policy file is in the pack, each name once', () => {
    const files = readdirSync(join(__dirname, 'policies')).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
    );
    assert.equal(policies.length, files.length);
    const names = policies.map((p) => p.name);
    assert.equal(new Set(names).size, names.length);
    for (const name of names) assert.match(name, /^pgcluster-[a-z-]+$/);
  });

  test('GIVEN the pack WHEN enforcement levels are read THEN having backups is advised and every other policy is mandatory', () => {
    const levels = Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel]));
    assert.equal(levels['pgcluster-backup-required'], 'advisory');
    for (const [name, level] of Object.entries(levels))
      if (name !== 'pgcluster-backup-required') assert.equal(level, 'mandatory', name);
  });
});
