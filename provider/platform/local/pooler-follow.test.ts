import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, 'scripts', 'pooler-follow.py');

/**
 * Runs pooler-follow.py in its before_stop mode (as Patroni's postgresql.before_stop runs it) by
 * Debian's Python, with the switchover mark `mark` (absent: none) beside the databases file. The
 * admin console is a port nothing listens on, so an armed PAUSE fails: what is checked here is
 * whether the hook tries (it records the attempt), not PgBouncer (the day2-switchover test is).
 */
function beforeStop(mark: Record<string, unknown> | undefined): {
  paused?: Record<string, unknown>;
  log: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'pgc-pooler-follow-'));
  try {
    const config = join(dir, 'pooler-follow.json');
    writeFileSync(join(dir, 'admin.pass'), 'secret\n', { mode: 0o600 });
    writeFileSync(
      config,
      JSON.stringify({
        member: 'm-1',
        databasesFile: join(dir, 'databases.ini'),
        admin: { host: '127.0.0.1', port: 1, user: 'admin', passFile: join(dir, 'admin.pass') },
      }),
    );
    if (mark) writeFileSync(join(dir, 'switchover-in-progress'), JSON.stringify(mark));
    const log = execFileSync('/usr/bin/python3', ['-B', SCRIPT, config, 'before_stop'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pausedFile = join(dir, 'switchover-paused');
    return {
      ...(existsSync(pausedFile)
        ? { paused: JSON.parse(readFileSync(pausedFile, 'utf8')) as Record<string, unknown> }
        : {}),
      log,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the before_stop hook (pooler-follow.py before_stop)', () => {
  test('GIVEN no switchover mark WHEN the member stops THEN the pooler is left alone', () => {
    assert.equal(beforeStop(undefined).paused, undefined);
  });

  test('GIVEN a mark naming another member WHEN this member stops THEN the pooler is left alone', () => {
    assert.equal(beforeStop({ at: Date.now(), leader: 'm-2', pauseTimeoutMs: 1000 }).paused, undefined);
  });

  test('GIVEN a mark without a leader (the switchover paused the pooler itself) WHEN the member stops THEN the hook does not pause', () => {
    assert.equal(beforeStop({ at: Date.now() }).paused, undefined);
  });

  test('GIVEN a mark older than 30 s WHEN the member stops THEN it is not that switchover: the pooler is left alone', () => {
    assert.equal(
      beforeStop({ at: Date.now() - 31_000, leader: 'm-1', pauseTimeoutMs: 1000 }).paused,
      undefined,
    );
  });

  test('GIVEN a fresh mark naming this member WHEN it stops THEN the hook PAUSEs and records when and how (here: no console, so not complete)', () => {
    const before = Date.now();
    const { paused } = beforeStop({ at: before, leader: 'm-1', pauseTimeoutMs: 1000 });
    assert.ok(paused, 'the hook recorded its PAUSE');
    assert.equal(paused.complete, false);
    assert.equal(paused.busy, -1);
    assert.ok(
      Number(paused.at) >= before - 1000 && Number(paused.at) <= Date.now(),
      `at ${String(paused.at)}`,
    );
  });
});
