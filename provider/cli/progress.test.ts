import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleReporter, formatBytes, progressLine, RateMeter } from '../report/reporter';
import { barLine, cliReporter, ttyReporter } from './progress';
import { colourEnabled } from './colour';

const MiB = 1024 * 1024;

describe('progress as plain lines (off a terminal)', () => {
  test('GIVEN reports every second WHEN printed THEN the first, one every 5 s and the last are shown, with total, percent and rate', () => {
    let now = 0;
    const lines: string[] = [];
    const r = consoleReporter(
      (l) => lines.push(l),
      () => now,
    );
    for (let s = 0; s <= 12; s++) {
      now = s * 1000;
      r.progress?.({ task: 'demo-3: base backup from demo-1', done: s * 10 * MiB, total: 120 * MiB });
    }
    now = 13_000;
    r.progress?.({
      task: 'demo-3: base backup from demo-1',
      done: 120 * MiB,
      total: 120 * MiB,
      finished: true,
    });
    assert.deepEqual(lines, [
      '[  0.0s] demo-3: base backup from demo-1: 0 B of 120.0 MiB (0%)',
      '[  5.0s] demo-3: base backup from demo-1: 50.0 MiB of 120.0 MiB (41%), 10.0 MiB/s',
      '[ 10.0s] demo-3: base backup from demo-1: 100.0 MiB of 120.0 MiB (83%), 10.0 MiB/s',
      '[ 13.0s] demo-3: base backup from demo-1: 120.0 MiB of 120.0 MiB (100%), 9.2 MiB/s, done',
    ]);
  });

  test('GIVEN two tasks WHEN reported together THEN each is throttled on its own', () => {
    let now = 0;
    const lines: string[] = [];
    const r = consoleReporter(
      (l) => lines.push(l),
      () => now,
    );
    r.progress?.({ task: 'a', done: 1 });
    r.progress?.({ task: 'b', done: 1 });
    now = 1000;
    r.progress?.({ task: 'a', done: 2 });
    assert.equal(lines.length, 2);
  });

  const LINES: ReadonlyArray<[Parameters<typeof progressLine>[0], number | undefined, string]> = [
    [{ task: 't', done: 512 }, undefined, 't: 512 B'],
    [{ task: 't', done: 3 * MiB, total: 12 * MiB }, 2 * MiB, 't: 3.0 MiB of 12.0 MiB (25%), 2.0 MiB/s'],
    [{ task: 'full backup', done: 42.5, total: 100, unit: 'percent' }, 3, 'full backup: 42.5%'],
    [
      { task: 'full backup', done: 100, total: 100, unit: 'percent', finished: true },
      undefined,
      'full backup: 100.0%, done',
    ],
  ];
  for (const [p, rate, line] of LINES) {
    test(`GIVEN ${JSON.stringify(p)} WHEN shown THEN "${line}"`, () =>
      assert.equal(progressLine(p, rate), line));
  }

  test('GIVEN bytes WHEN formatted THEN binary units with one decimal', () => {
    assert.deepEqual([0, 1023, 1024, 1536 * 1024, 5 * 1024 ** 3].map(formatBytes), [
      '0 B',
      '1023 B',
      '1.0 KiB',
      '1.5 MiB',
      '5.0 GiB',
    ]);
  });

  test('GIVEN reports of one task WHEN the rate is measured THEN it is bytes per second since the first report', () => {
    let now = 0;
    const meter = new RateMeter(() => now);
    assert.equal(meter.rate({ task: 't', done: 0 }), undefined);
    now = 2000;
    assert.equal(meter.rate({ task: 't', done: 4 * MiB }), 2 * MiB);
  });
});

describe('progress bars (on a terminal)', () => {
  test('GIVEN a known total WHEN a bar is drawn THEN it shows the bar, percent, bytes and rate', () => {
    assert.equal(
      barLine({ barsize: 10 }, { progress: 0.5 } as never, {
        task: 't',
        done: 5 * MiB,
        total: 10 * MiB,
        rate: MiB,
      }),
      't [=====-----] 50% 5.0 MiB of 10.0 MiB, 1.0 MiB/s',
    );
  });

  test('GIVEN no total yet WHEN a bar is drawn THEN it shows the bytes done only', () => {
    assert.equal(
      barLine({ barsize: 10 }, { progress: 1 } as never, { task: 't', done: 5 * MiB }),
      't 5.0 MiB',
    );
  });

  test('GIVEN steps and a progress report WHEN written to a terminal THEN steps print as lines and the bar ends complete', () => {
    let out = '';
    const stream = {
      isTTY: true,
      columns: 120,
      write: (s: string) => ((out += s), true),
      on: () => stream,
      removeListener: () => stream,
    };
    const r = ttyReporter(stream as never);
    r.step('started demo-3');
    r.progress?.({ task: 'demo-3: base backup from demo-1', done: 0 });
    r.progress?.({
      task: 'demo-3: base backup from demo-1',
      done: 10 * MiB,
      total: 10 * MiB,
      finished: true,
    });
    r.done('ready');
    assert.match(out, /\] started demo-3\n/);
    assert.match(out, /demo-3: base backup from demo-1 \[=+\] 100% 10\.0 MiB of 10\.0 MiB/);
    assert.match(out, /\] ready\n$/);
  });

  test('GIVEN stderr is not a terminal WHEN the CLI picks its reporter THEN plain lines, no escape codes', () => {
    const lines: string[] = [];
    const r = cliReporter({ isTTY: false, write: (s: string) => (lines.push(s), true) });
    r.progress?.({ task: 't', done: 1, total: 2 });
    assert.equal(lines.length, 1);
    assert.ok(!lines[0]?.includes('\u001b'));
  });
});

describe('colour only where a person reads it', () => {
  const CASES: ReadonlyArray<[boolean, NodeJS.ProcessEnv, boolean, string]> = [
    [true, {}, true, 'a terminal'],
    [false, {}, false, 'a pipe'],
    [true, { NO_COLOR: '1' }, false, 'a terminal with NO_COLOR'],
    [true, { NO_COLOR: '' }, true, 'a terminal with an empty NO_COLOR (no-color.org: only a value counts)'],
    [false, { FORCE_COLOR: '1' }, true, 'a pipe with FORCE_COLOR'],
    [true, { FORCE_COLOR: '0' }, false, 'a terminal with FORCE_COLOR=0'],
    [false, { FORCE_COLOR: '1', NO_COLOR: '1' }, false, 'FORCE_COLOR and NO_COLOR (NO_COLOR wins)'],
    [true, { TERM: 'dumb' }, false, 'a dumb terminal'],
  ];
  for (const [isTTY, env, want, given] of CASES) {
    test(`GIVEN ${given} WHEN deciding THEN colour is ${want ? 'on' : 'off'}`, () => {
      assert.equal(colourEnabled({ isTTY }, env), want);
    });
  }
});
