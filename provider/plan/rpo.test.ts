import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SILENCE_GAP_MS, unplannedRpo } from './rpo';

describe('the RPO of an unplanned promotion', () => {
  const heardAt = Date.parse('2026-12-01T20:00:00.000Z');
  const record = {
    sourceCluster: 'a',
    sourceMember: 'a-1',
    sourceLocation: 0x3000100,
    heardAt,
    silentFrom: heardAt + 1000,
  };
  const here = { received: '0/3000060', replayed: '0/3000060', replayedAt: heardAt - 40 };

  test('GIVEN a record and the source silent a second later WHEN asked THEN the RPO is known: bytes not received and the window of lost commits', () => {
    const rpo = unplannedRpo('a', record, here);
    assert.equal(rpo.known, true);
    if (!rpo.known) return;
    assert.equal(rpo.sourceLsn, '0/3000100');
    assert.equal(rpo.notReceivedBytes, 0xa0n);
    assert.equal(rpo.lostAfter, heardAt - 40);
    assert.equal(rpo.windowSeconds, 1.04);
  });

  test('GIVEN the replica received past the recorded source position WHEN asked THEN nothing is known missing in bytes', () => {
    const rpo = unplannedRpo('a', record, { ...here, received: '0/3000200' });
    assert.equal(rpo.known && rpo.notReceivedBytes, 0n);
  });

  test('GIVEN no record WHEN asked THEN the RPO is unknown', () => {
    assert.deepEqual(unplannedRpo('a', undefined, here).known, false);
  });

  test('GIVEN a record of another cluster (an earlier source) WHEN asked THEN the RPO is unknown', () => {
    assert.equal(unplannedRpo('b', record, here).known, false);
  });

  test('GIVEN a record of a source never seen silent WHEN asked THEN unknown (the watch stopped)', () => {
    const rpo = unplannedRpo('a', { ...record, silentFrom: null }, here);
    assert.equal(rpo.known, false);
    assert.match(!rpo.known ? rpo.why : '', /not seen it go silent/);
  });

  test('GIVEN failed probes that began soon after it was last heard WHEN the silence was confirmed later THEN the RPO is known up to that confirmation', () => {
    const rpo = unplannedRpo(
      'a',
      { ...record, firstFailedAt: heardAt + 1000, silentFrom: heardAt + MAX_SILENCE_GAP_MS + 2000 },
      here,
    );
    assert.equal(rpo.known, true);
    assert.equal(rpo.known && rpo.silentFrom, heardAt + MAX_SILENCE_GAP_MS + 2000);
  });

  test('GIVEN the first failed probe long after it was last heard WHEN asked THEN unknown (the watch was not running)', () => {
    const rpo = unplannedRpo(
      'a',
      {
        ...record,
        firstFailedAt: heardAt + MAX_SILENCE_GAP_MS + 1,
        silentFrom: heardAt + MAX_SILENCE_GAP_MS + 3000,
      },
      here,
    );
    assert.equal(rpo.known, false);
  });

  test('GIVEN a silence found long after it was last heard WHEN asked THEN unknown', () => {
    const rpo = unplannedRpo('a', { ...record, silentFrom: heardAt + MAX_SILENCE_GAP_MS + 1 }, here);
    assert.equal(rpo.known, false);
    assert.match(!rpo.known ? rpo.why : '', /last heard 10\.0 s before/);
  });

  test('GIVEN a replica that replayed no commit since its start WHEN asked THEN unknown', () => {
    assert.equal(unplannedRpo('a', record, { ...here, replayedAt: null }).known, false);
  });
});
