import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { catchUpProgress, dataDirProgress } from './catch-up';

describe("a new replica's progress, as the primary reports it", () => {
  test('GIVEN one base backup and one member creating a replica WHEN read THEN the progress names that member, bytes of the total', () => {
    const p = catchUpProgress(
      {
        basebackups: [
          { pid: 1, phase: 'streaming database files', backup_total: '1000', backup_streamed: '250' },
        ],
        replication: [],
      },
      'demo-1',
      ['demo-3'],
      new Map(),
    );
    assert.deepEqual(p, [{ task: 'demo-3: base backup from demo-1', done: 250, total: 1000 }]);
  });

  test('GIVEN a base backup before its size is estimated WHEN read THEN there is no total yet', () => {
    const [p] = catchUpProgress(
      {
        basebackups: [
          { pid: 1, phase: 'waiting for checkpoint to finish', backup_total: null, backup_streamed: '0' },
        ],
        replication: [],
      },
      'demo-1',
      ['demo-3'],
      new Map(),
    );
    assert.deepEqual(p, { task: 'demo-3: base backup from demo-1', done: 0 });
  });

  test('GIVEN two base backups WHEN read THEN they are numbered, not guessed', () => {
    const rows = [1, 2].map((pid) => ({
      pid,
      phase: 'streaming database files',
      backup_total: '10',
      backup_streamed: '5',
    }));
    const tasks = catchUpProgress(
      { basebackups: rows, replication: [] },
      'demo-1',
      ['demo-3', 'demo-4'],
      new Map(),
    ).map((p) => p.task);
    assert.deepEqual(tasks, [
      'base backup 1: base backup from demo-1',
      'base backup 2: base backup from demo-1',
    ]);
  });

  test('GIVEN a replica catching up WHEN read twice THEN the total is how far behind it was first, done what it replayed since', () => {
    const first = new Map<string, number>();
    const read = (behind: string, state = 'catchup') =>
      catchUpProgress(
        { basebackups: [], replication: [{ application_name: 'demo-3', state, behind }] },
        'demo-1',
        [],
        first,
      );
    assert.deepEqual(read('800'), [{ task: 'demo-3: catching up with demo-1', done: 0, total: 800 }]);
    assert.deepEqual(read('200'), [{ task: 'demo-3: catching up with demo-1', done: 600, total: 800 }]);
    assert.deepEqual(read('0', 'streaming'), [], 'streaming: nothing to report');
  });
});

describe('a restore or a clone, by the bytes in the data directory', () => {
  const members = [
    { name: 'demo-1', state: 'running' },
    { name: 'demo-2', state: 'creating replica' },
    { name: 'demo-3', state: 'running custom bootstrap script' },
  ];
  const bytes = (m: string) => ({ 'demo-2': 300, 'demo-3': 50 })[m];

  test('GIVEN members making their data WHEN read THEN each reports its data directory, of the total when known', () => {
    const p = dataDirProgress(members, [], bytes, (m) =>
      m.name === 'demo-2'
        ? { what: 'restoring the latest backup', total: 1000 }
        : { what: 'restoring the backup' },
    );
    assert.deepEqual(p, [
      { task: 'demo-2: restoring the latest backup', done: 300, total: 1000 },
      { task: 'demo-3: restoring the backup', done: 50 },
    ]);
  });

  test('GIVEN a replica already reported by its base backup, or one without words WHEN read THEN it is left out', () => {
    const p = dataDirProgress(members, ['demo-2'], bytes, (m) =>
      m.name === 'demo-3' ? undefined : { what: 'x' },
    );
    assert.deepEqual(p, []);
  });

  test('GIVEN a data directory not there yet WHEN read THEN nothing is reported for it', () => {
    assert.deepEqual(
      dataDirProgress(
        members,
        [],
        () => undefined,
        () => ({ what: 'x' }),
      ),
      [],
    );
  });
});
