import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, meaningfulLines, type Observed } from './diagnosis';

const BOOTSTRAP_LOG = [
  'clone: pg_basebackup from 10.245.0.1:27710 as cloner into /var/lib/postgresql/data/pgdata',
  'pg_basebackup: error: connection to server at "10.245.0.1", port 27710 failed: FATAL:  password authentication failed for user "cloner"',
  '2026-12-01 17:40:01,123 INFO: removing initialize key',
  'Traceback (most recent call last):',
  '  File "/opt/patroni/lib/python3.11/site-packages/patroni/ha.py", line 2216, in _run_cycle',
  '    return self.post_bootstrap()',
  '           ^^^^^^^^^^^^^^^^^^^^^',
  "    raise PatroniFatalException('Failed to bootstrap cluster')",
  'patroni.exceptions.PatroniFatalException: Failed to bootstrap cluster',
  '',
].join('\n');

const base: Observed = {
  pods: [],
  claims: [],
  storageClasses: ['local-path'],
  defaultStorageClass: 'local-path',
};
const pod = (containers: Observed['pods'][number]['containers'], extra = {}) => ({
  name: 'orders-1',
  phase: 'Pending',
  containers,
  events: [],
  ...extra,
});

describe('diagnose: why a cluster on Kubernetes is not ready', () => {
  const cases: Array<[string, Observed, { fatal: boolean; match: RegExp }[]]> = [
    [
      'nothing wrong',
      { ...base, pods: [pod([{ name: 'postgres', restartCount: 0 }], { phase: 'Running' })] },
      [],
    ],
    [
      'a Pending claim of a class that does not exist',
      {
        ...base,
        claims: [{ name: 'data-orders-1', phase: 'Pending', storageClassName: 'nope', events: [] }],
      },
      [
        {
          fatal: true,
          match:
            /claim data-orders-1 is Pending: its StorageClass "nope" does not exist \(classes: local-path\)/,
        },
      ],
    ],
    [
      'a Pending claim without a class and no default class',
      {
        ...base,
        defaultStorageClass: undefined,
        claims: [{ name: 'data-orders-1', phase: 'Pending', events: [] }],
      },
      [{ fatal: true, match: /names no StorageClass and the cluster has no default one/ }],
    ],
    [
      'a Pending claim of an existing class, with its last event',
      {
        ...base,
        claims: [
          {
            name: 'data-orders-1',
            phase: 'Pending',
            storageClassName: 'local-path',
            events: ['WaitForFirstConsumer: waiting'],
          },
        ],
      },
      [
        {
          fatal: false,
          match: /claim data-orders-1 \(StorageClass local-path\) is Pending: WaitForFirstConsumer: waiting/,
        },
      ],
    ],
    [
      'an image that is not on the node and may not be pulled',
      {
        ...base,
        pods: [
          pod([
            {
              name: 'postgres',
              restartCount: 0,
              waitingReason: 'ErrImageNeverPull',
              waitingMessage: 'image "x" is not present',
            },
          ]),
        ],
      },
      [
        {
          fatal: true,
          match: /pod orders-1 container postgres: ErrImageNeverPull: image "x" is not present/,
        },
      ],
    ],
    [
      'a first pull error (it may still come)',
      { ...base, pods: [pod([{ name: 'postgres', restartCount: 0, waitingReason: 'ErrImagePull' }])] },
      [{ fatal: false, match: /ErrImagePull/ }],
    ],
    [
      'a crash loop with its last log lines',
      {
        ...base,
        pods: [
          pod([
            {
              name: 'postgres',
              restartCount: 4,
              waitingReason: 'CrashLoopBackOff',
              lastLog: 'FATAL: bad config\n',
            },
          ]),
        ],
      },
      [{ fatal: true, match: /crash-looping \(4 restarts\); its last lines:\n\s+FATAL: bad config/ }],
    ],
    [
      'a failed bootstrap after one restart (the pg_basebackup error kept, the traceback cut)',
      {
        ...base,
        pods: [
          pod([
            {
              name: 'postgres',
              restartCount: 1,
              lastLog: BOOTSTRAP_LOG,
            },
          ]),
        ],
      },
      [
        {
          fatal: true,
          match:
            /postgres: Patroni could not bootstrap the cluster; its last lines:\n\s+clone: pg_basebackup from .*\n.*password authentication failed for user "cloner"\n.*removing initialize key\n.*PatroniFatalException: Failed to bootstrap cluster$/,
        },
      ],
    ],
    [
      'an unschedulable pod',
      { ...base, pods: [pod([], { unschedulable: '0/1 nodes are available: 1 Insufficient memory.' })] },
      [
        {
          fatal: false,
          match: /pod orders-1 cannot be scheduled: 0\/1 nodes are available: 1 Insufficient memory/,
        },
      ],
    ],
  ];
  for (const [name, observed, expected] of cases) {
    test(`GIVEN ${name} WHEN diagnosed THEN ${expected.length ? expected.map((e) => (e.fatal ? 'fatal' : 'a note')).join(', ') : 'no finding'}`, () => {
      const found = diagnose(observed);
      assert.equal(found.length, expected.length, JSON.stringify(found));
      expected.forEach((e, i) => {
        assert.equal(found[i]?.fatal, e.fatal, found[i]?.message);
        assert.match(found[i]?.message ?? '', e.match);
      });
    });
  }
});

describe('meaningfulLines', () => {
  test('GIVEN a log with two tracebacks WHEN cut THEN each keeps its exception line, and only the last lines are shown', () => {
    const log = ['a', 'Traceback (most recent call last):', '  File "x", line 1', 'E: one', 'b', 'c'].join(
      '\n',
    );
    assert.deepEqual(meaningfulLines(log), ['a', 'E: one', 'b', 'c']);
    assert.deepEqual(meaningfulLines(log, 2), ['b', 'c']);
  });
});
