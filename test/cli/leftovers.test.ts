/**
 * The check at the end of `node scripts/run-tests.mjs all` (scripts/leftovers.mjs): a file or
 * directory with the tests' prefixes that appeared in the temp dir during the run, or a process
 * started meanwhile that uses one, is reported; what was there before is not.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

interface Snapshot {
  dir: string;
  entries: string[];
  processes: string[];
}
interface LeftoversModule {
  PREFIXES: string[];
  snapshot(dir?: string): Snapshot;
  checkLeftovers(before: Snapshot, options?: { graceMs?: number }): Promise<string[]>;
}
const MODULE = join(__dirname, '..', '..', 'scripts', 'leftovers.mjs');
const load = () => import(MODULE) as Promise<LeftoversModule>;

describe('the leftover check of a test run', () => {
  test('GIVEN the prefixes WHEN listed THEN the state dirs, the temp dirs and the Automation API workspaces are among them', async () => {
    const { PREFIXES } = await load();
    for (const p of ['pgc-', 'pgcluster-', 'automation-']) assert.ok(PREFIXES.includes(p), p);
  });

  test('GIVEN a snapshot WHEN entries with the prefixes appear and go THEN they are reported, then not; others never', async () => {
    const { snapshot, checkLeftovers } = await load();
    // A private "temp dir", so that other runs on this machine do not show up.
    const dir = mkdtempSync(join(tmpdir(), 'leftover-check-'));
    try {
      mkdirSync(join(dir, 'pgc-before-1'));
      const before = snapshot(dir);
      mkdirSync(join(dir, 'automation-AbC123'));
      writeFileSync(join(dir, 'pgcluster-x.log'), '');
      writeFileSync(join(dir, 'unrelated.txt'), '');
      assert.deepEqual((await checkLeftovers(before, { graceMs: 0 })).sort(), [
        `file left in ${dir}: automation-AbC123`,
        `file left in ${dir}: pgcluster-x.log`,
      ]);
      rmSync(join(dir, 'automation-AbC123'), { recursive: true });
      rmSync(join(dir, 'pgcluster-x.log'));
      assert.deepEqual(await checkLeftovers(before, { graceMs: 0 }), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('GIVEN a process started in a new pgc- dir WHEN checked THEN it is reported until it is stopped', async () => {
    const { snapshot, checkLeftovers } = await load();
    const dir = mkdtempSync(join(tmpdir(), 'leftover-check-'));
    const work = join(dir, 'pgc-state-1');
    mkdirSync(work);
    const before = snapshot(dir); // the entry was there before: the new process in it is what is left
    const child = spawn('sleep', ['60'], { cwd: work, stdio: 'ignore' });
    try {
      await sleep(100);
      const found = await checkLeftovers(before, { graceMs: 0 });
      assert.ok(
        found.some((l) => l.startsWith(`process left running: ${child.pid} sleep 60`)),
        JSON.stringify(found),
      );
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    assert.deepEqual(await checkLeftovers(before, { graceMs: 0 }), []);
    rmSync(dir, { recursive: true, force: true });
  });
});
