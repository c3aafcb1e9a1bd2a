import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const SCRIPTS = join(__dirname, 'scripts');

interface Probe {
  /** probe_source's answer: [cluster, member, location], or null (no source primary answered). */
  source: [string, string, number] | null;
  now: number;
}

/** The records source_watch.observe gives after each probe, run by Debian's Python as the members run it. */
function observe(probes: Probe[]): (Record<string, unknown> | null)[] {
  const program = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(SCRIPTS)})`,
    'import source_watch',
    'record, out = None, []',
    'for p in json.load(sys.stdin):',
    '    source = tuple(p["source"]) if p["source"] else None',
    '    record = source_watch.observe(record, source, {"received_location": 100}, p["now"])',
    '    out.append(record)',
    'print(json.dumps(out))',
  ].join('\n');
  const printed = execFileSync('/usr/bin/python3', ['-B', '-c', program], {
    input: JSON.stringify(probes),
    encoding: 'utf8',
  });
  return JSON.parse(printed) as (Record<string, unknown> | null)[];
}

const heard = (now: number): Probe => ({ source: ['a', 'a-1', 4096 + now], now });
const failed = (now: number): Probe => ({ source: null, now });

describe('the source watch (source_watch.observe)', () => {
  test('GIVEN the source answering WHEN probed THEN the record says where its WAL ended and that it is not silent', () => {
    const [r] = observe([heard(10)]);
    assert.deepEqual(r, {
      sourceCluster: 'a',
      sourceMember: 'a-1',
      sourceLocation: 4106,
      heardAt: 10,
      receivedLocation: 100,
      firstFailedAt: null,
      failedProbes: 0,
      silentFrom: null,
    });
  });

  test('GIVEN one probe that fails while the source still answers after it WHEN probed THEN it is never taken for silent', () => {
    const records = observe([heard(10), failed(11), heard(12), failed(13), failed(14), heard(15)]);
    assert.ok(records.every((r) => r?.silentFrom === null));
    assert.equal(records.at(-1)?.heardAt, 15);
    assert.equal(records.at(-1)?.firstFailedAt, null);
  });

  test('GIVEN a failed probe just before the source really stops WHEN probes fail in a row THEN silentFrom is the last of them, not the first', () => {
    const records = observe([heard(10), failed(11), failed(12), failed(13), failed(14)]);
    assert.deepEqual(
      records.map((r) => r?.silentFrom),
      [null, null, null, 13, 13],
    );
    assert.equal(records[3]?.firstFailedAt, 11);
    assert.equal(records[3]?.heardAt, 10, 'the last time it was heard stays');
    assert.equal(records[3]?.failedProbes, 3);
  });

  test('GIVEN no source ever heard WHEN probes fail THEN nothing is recorded', () => {
    assert.deepEqual(observe([failed(1), failed(2), failed(3), failed(4)]), [null, null, null, null]);
  });
});
