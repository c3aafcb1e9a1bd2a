import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { targetIssue } from './replica-target';
import { parseSpec } from '../spec';

describe('promotion to a time: the refusal before anything is touched', () => {
  test('GIVEN a target past what was replayed, in the future or after the last archived segment WHEN checked THEN refused, naming the times; else accepted', () => {
    const spec = parseSpec({
      name: 'site-b',
      platform: { local: { basePort: 24200 } },
      replica: {
        source: { cluster: 'site-a' },
        via: 'archive',
        applyDelay: '1h',
        primary: 'site-b',
        target: { time: '2026-12-01T10:00:00Z' },
      },
    });
    const at = Date.parse('2026-12-01T10:00:00Z');
    const facts = { now: at + 60_000, replayedAt: at - 1000, checkpointAt: at - 5000, archivedAt: at + 2000 };
    assert.equal(targetIssue(spec, facts), undefined);
    assert.match(
      targetIssue(spec, { ...facts, replayedAt: at + 1000 }) ?? '',
      /replica\.target\.time: 2026-12-01T10:00:00Z is before what site-b has already replayed, its last replayed commit \(2026-12-01T10:00:01\.000Z\)/,
    );
    assert.match(
      targetIssue(spec, { ...facts, replayedAt: null, checkpointAt: at + 3000 }) ?? '',
      /the checkpoint it last restarted from \(2026-12-01T10:00:03\.000Z; no commit replayed since\)/,
    );
    assert.equal(targetIssue(spec, { ...facts, replayedAt: null }), undefined);
    assert.match(
      targetIssue(spec, { ...facts, now: at - 1 }) ?? '',
      /2026-12-01T10:00:00Z is in the future \(now 2026-12-01T09:59:59\.999Z\)/,
    );
    assert.match(
      targetIssue(spec, { ...facts, archivedAt: at - 1 }) ?? '',
      /is after the last WAL segment site-a archived \(2026-12-01T09:59:59\.999Z\)/,
    );
    assert.equal(targetIssue(spec, { ...facts, archivedAt: null }), undefined);
  });
});
