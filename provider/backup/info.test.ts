import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backupBefore, MISSING_STANZA_PATH, parseInfo } from './info';

const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures', 'pgbackrest');

describe('pgbackrest info --output=json', () => {
  // Captured from pgBackRest 2.45 against MinIO: a full backup, then incrementals.
  const text = readFileSync(join(FIXTURES, 'info-bk.json'), 'utf8');

  test('GIVEN a stanza with backups WHEN parsed THEN each backup with its label, type, chain, LSN range, sizes and times', () => {
    const info = parseInfo(text, 'bk');
    assert.equal(info.status.code, 0);
    assert.equal(info.backups.length >= 2, true);
    const [full, incr] = info.backups;
    assert.deepEqual(full, {
      label: '20261201-111533F',
      type: 'full',
      prior: null,
      lsnStart: '0/6000028',
      lsnStop: '0/6000440',
      walStart: '000000010000000000000006',
      walStop: '000000010000000000000006',
      size: 30519451,
      repoSize: 6039422,
      startedAt: '2026-12-01T11:15:33.000Z',
      stoppedAt: '2026-12-01T11:15:35.000Z',
      error: false,
    });
    assert.equal(incr?.type, 'incr');
    assert.equal(incr?.prior, full?.label);
    assert.equal(incr?.repoSize, 465, 'an incremental takes only what changed');
    assert.deepEqual(info.archive, { min: '000000010000000000000001', max: '00000001000000000000000F' });
    assert.match(info.systemId ?? '', /^\d{19}$/, 'the 19-digit system id, exactly');
    assert.equal(text.includes(`"system-id": ${info.systemId}`), true);
  });

  test('GIVEN a stanza that does not exist WHEN parsed THEN missing stanza path and no backups', () => {
    const missing =
      '[{"archive":[],"backup":[],"cipher":"none","db":[],"name":"nope","repo":[{"cipher":"none","key":1,"status":{"code":1,"message":"missing stanza path"}}],"status":{"code":1,"lock":{"backup":{"held":false}},"message":"missing stanza path"}}]';
    const info = parseInfo(missing, 'nope');
    assert.equal(info.status.code, MISSING_STANZA_PATH);
    assert.deepEqual(info.backups, []);
    assert.equal(info.archive, undefined);
  });

  test('GIVEN backups WHEN asked for the one before a time THEN the latest that stopped by then, or none', () => {
    const { backups } = parseInfo(text, 'bk');
    assert.equal(backupBefore(backups, '2026-12-01T11:15:36Z')?.label, '20261201-111533F');
    assert.equal(backupBefore(backups, '2026-12-01T11:15:34Z'), undefined);
    assert.equal(backupBefore(backups, '2027-01-01T00:00:00Z')?.label, backups.at(-1)?.label);
  });
});
