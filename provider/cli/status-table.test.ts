import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterStatus, MemberStatus } from '../actions/status';
import { memberHint, renderStatusTable } from './status-table';
import { colours } from './colour';

const member = (over: Partial<MemberStatus>): MemberStatus => ({
  name: 'demo-1',
  role: 'replica',
  sync: false,
  quorum: false,
  state: 'streaming',
  host: '127.0.0.1',
  port: 15411,
  timeline: 1,
  lagBytes: 0,
  pendingRestart: false,
  pid: 101,
  patroniPid: 100,
  down: null,
  ...over,
});

const status = (members: MemberStatus[], over: Partial<ClusterStatus> = {}): ClusterStatus => ({
  name: 'demo',
  primary: 'demo-2',
  members,
  endpoints: {
    rw: 'postgresql://app@h:1/app',
    ro: 'postgresql://app@h:1/app',
    r: 'postgresql://app@h:1/app',
    pooler: null,
  },
  services: {},
  roles: [],
  databases: [],
  archive: null,
  stopped: false,
  specFile: '/specs/demo.yaml',
  certificates: [],
  replica: null,
  ...over,
});

const LOG = '/state/demo/members/demo-3/patroni.log';
const UP = 'pgcluster up -f /specs/demo.yaml';

describe('status: what to do about a member that is down', () => {
  const CASES: ReadonlyArray<{ given: string; m: Partial<MemberStatus>; hint: string[] }> = [
    {
      given: 'every process gone',
      m: {
        name: 'demo-3',
        pid: null,
        patroniPid: null,
        down: { gone: ['supervisor', 'patroni', 'postmaster'], log: LOG },
      },
      hint: [
        `demo-3 is down: its supervisor, Patroni and postmaster are gone`,
        `  log:           ${LOG}`,
        `  bring it back: ${UP}`,
      ],
    },
    {
      given: 'the supervisor and Patroni gone, the postmaster left running',
      m: { name: 'demo-3', pid: 4242, patroniPid: null, down: { gone: ['supervisor', 'patroni'], log: LOG } },
      hint: [
        'demo-3 is down: its supervisor and Patroni are gone; its postmaster (PID 4242) still runs, unmanaged: `up` stops it first',
        `  log:           ${LOG}`,
        `  bring it back: ${UP}`,
      ],
    },
    {
      given: 'only the postmaster gone (Patroni starts it again)',
      m: { name: 'demo-3', pid: null, patroniPid: 77, down: { gone: ['postmaster'], log: LOG } },
      hint: [
        'demo-3: its postmaster is gone; Patroni (PID 77) starts PostgreSQL again',
        `  log:           ${LOG}`,
      ],
    },
    { given: 'everything running', m: {}, hint: [] },
  ];
  for (const { given, m, hint } of CASES) {
    test(`GIVEN ${given} WHEN the hint is written THEN it says ${hint.length ? 'which process, the log and what to run' : 'nothing'}`, () => {
      assert.deepEqual(memberHint(member(m), UP), hint);
    });
  }

  test('GIVEN a member down WHEN the table is rendered THEN its hint follows the members, before the endpoints', () => {
    const text = renderStatusTable(
      status([
        member({ name: 'demo-2', role: 'primary', state: 'running' }),
        member({
          name: 'demo-3',
          role: 'unknown',
          state: 'stopped',
          pid: null,
          patroniPid: null,
          down: { gone: ['supervisor', 'patroni', 'postmaster'], log: LOG },
        }),
      ]),
      { upCommand: UP },
    );
    assert.match(
      text,
      /demo-3 {2}unknown {2}stopped .*\n\ndemo-3 is down: .*\n {2}log: .*\n {2}bring it back: pgcluster up -f \/specs\/demo\.yaml\n\nEndpoints/,
    );
  });

  test('GIVEN a stopped cluster WHEN the table is rendered THEN the first line says so and how to start it, and no member hint repeats it', () => {
    const down: MemberStatus['down'] = { gone: ['supervisor', 'patroni', 'postmaster'], log: LOG };
    const text = renderStatusTable(
      status([member({ state: 'stopped', role: 'unknown', pid: null, patroniPid: null, down })], {
        stopped: true,
        primary: null,
      }),
      { upCommand: UP },
    );
    assert.ok(
      text.startsWith(`Cluster demo: stopped (no member runs; its data is kept). Start it: ${UP}\n`),
      text,
    );
    assert.doesNotMatch(text, /is down/);
  });

  test('GIVEN no spec file known WHEN no command is given THEN the hint says <spec file>', () => {
    const text = renderStatusTable(status([], { stopped: true, specFile: null }));
    assert.match(text, /Start it: pgcluster up -f <spec file>/);
  });

  test('GIVEN colours WHEN rendered THEN the columns still line up (padding is measured without escape codes)', () => {
    const members = [
      member({ name: 'demo-1', role: 'primary', state: 'running' }),
      member({ name: 'demo-22', state: 'starting' }),
    ];
    const plain = renderStatusTable(status(members));
    const painted = renderStatusTable(status(members), { paint: colours({ isTTY: true }, {}) });
    assert.notEqual(painted, plain);
    // eslint-disable-next-line no-control-regex
    assert.equal(painted.replace(/\u001b\[\d+m/g, ''), plain);
  });
});

describe('status: metrics endpoints and certificates', () => {
  test('GIVEN exporters and tls WHEN the table is rendered THEN each metrics URL and each certificate expiry is listed; a stopped exporter says so', () => {
    const text = renderStatusTable(
      status([member({})], {
        services: {
          etcd: { running: true, pid: 1 },
          'exporter demo-1': { running: true, pid: 2, port: 15461, url: 'http://127.0.0.1:15461/metrics' },
          'exporter pooler': { running: false, port: 15403, url: 'http://127.0.0.1:15403/metrics' },
        },
        certificates: [
          { name: 'server', subject: 'CN=demo-rw', notAfter: '2027-12-01T10:00:00.000Z', daysLeft: 364 },
        ],
      }),
    );
    const lines = text.split('\n');
    assert.ok(lines.includes('Metrics:'));
    assert.ok(
      lines.some((l) => /^ {2}exporter demo-1 +http:\/\/127\.0\.0\.1:15461\/metrics$/.test(l)),
      text,
    );
    assert.ok(
      lines.some((l) => /exporter pooler +http:\/\/127\.0\.0\.1:15403\/metrics \(not running\)$/.test(l)),
    );
    assert.ok(!lines.some((l) => l.includes('etcd ')), 'services without a URL are not metrics');
    assert.ok(lines.includes('  server      expires 2027-12-01 (364 day(s) left)'), text);
  });

  test('GIVEN neither WHEN rendered THEN no Metrics or Certificates section', () => {
    const text = renderStatusTable(status([member({})]));
    assert.doesNotMatch(text, /Metrics:|Certificates:/);
  });
});

describe('status table of a replica cluster', () => {
  test('GIVEN a replica cluster WHEN rendered THEN the header says whose replica it is, read-only, and the standby leader shows as such', () => {
    const text = renderStatusTable(
      status(
        [
          member({ name: 'demo-1', role: 'standby-leader', state: 'streaming' }),
          member({ name: 'demo-2', role: 'replica', state: 'streaming' }),
        ],
        {
          primary: null,
          replica: {
            readOnly: true,
            source: 'orders-a',
            via: 'streaming',
            groupPrimary: 'orders-a',
            standbyLeader: 'demo-1',
            demotion: { lsn: '0/3000060', timeline: 2, at: '2026-12-01T17:00:00.000Z', to: 'orders-a' },
          },
        },
      ),
    );
    assert.match(
      text,
      /^Cluster demo: replica cluster of orders-a \(read-only, via streaming\), standby leader demo-1$/m,
    );
    assert.match(
      text,
      /last demoted 2026-12-01T17:00:00.000Z for orders-a: WAL ended at 0\/3000060 \(timeline 2\)/,
    );
    assert.match(text, /^demo-1\s+standby-leader\s+streaming/m);
  });
});
