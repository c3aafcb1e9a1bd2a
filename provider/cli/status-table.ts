import type { ClusterStatus, MemberProcess, MemberStatus } from '../actions/status';
import { createColors } from 'picocolors';
import type { Colours } from './colour';

export interface StatusTableOptions {
  /** Colours for a terminal (cli/colour.ts); none by default. */
  paint?: Colours;
  /** The command that brings the cluster back as it was declared, e.g. `pgcluster up -f demo.yaml`. */
  upCommand?: string;
}

const PROCESS_NAMES: Record<MemberProcess, string> = {
  supervisor: 'supervisor',
  patroni: 'Patroni',
  postmaster: 'postmaster',
};

function listed(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** What a person does about a member whose processes are gone: which, where the log is, the command. */
export function memberHint(m: MemberStatus, upCommand: string): string[] {
  if (!m.down) return [];
  const gone = m.down.gone;
  const names = listed(gone.map((p) => PROCESS_NAMES[p]));
  const log = `  log:           ${m.down.log}`;
  if (!gone.includes('patroni') && !gone.includes('supervisor'))
    return [`${m.name}: its postmaster is gone; Patroni (PID ${m.patroniPid}) starts PostgreSQL again`, log];
  const orphan =
    m.pid !== null ? `; its postmaster (PID ${m.pid}) still runs, unmanaged: \`up\` stops it first` : '';
  return [
    `${m.name} is down: its ${names} ${gone.length > 1 ? 'are' : 'is'} gone${orphan}`,
    log,
    `  bring it back: ${upCommand}`,
  ];
}

const known = (value: boolean | null, yes: string, no: string) => (value === null ? '?' : value ? yes : no);

/** Managed roles and databases, one line each (nothing when there are none). */
function sqlObjectsLines(s: ClusterStatus): string[] {
  const out: string[] = [];
  if (s.roles.length > 0) {
    out.push('Roles:');
    for (const r of s.roles) {
      const facts = [
        r.exists === false ? 'MISSING' : known(r.login, 'login', 'nologin'),
        ...(r.superuser ? ['superuser'] : []),
        ...(r.passwordManaged ? ['password'] : []),
        ...(r.inRoles.length > 0 ? [`in ${r.inRoles.join(', ')}`] : []),
      ];
      out.push(`  ${JSON.stringify(r.name)}  ${facts.join(', ')}`);
    }
  }
  if (s.databases.length > 0) {
    out.push('Databases:');
    for (const d of s.databases) {
      const state =
        d.exists === false ? 'MISSING' : d.exists === null ? '?' : `owner ${JSON.stringify(d.owner)}`;
      out.push(`  ${JSON.stringify(d.name)}  ${state}, reclaimPolicy ${d.reclaimPolicy}`);
    }
  }
  return out.length > 0 ? [...out, ''] : [];
}

const ago = (seconds: number) =>
  seconds < 120
    ? `${seconds} s ago`
    : seconds < 7200
      ? `${Math.round(seconds / 60)} min ago`
      : `${Math.round(seconds / 3600)} h ago`;

/** Exporters and their ports, and each certificate with its expiry (under tls). */
function observabilityLines(s: ClusterStatus): string[] {
  const exporters = Object.entries(s.services).filter(([, v]) => v.port !== undefined && v.port > 0);
  const metrics = exporters.length
    ? [
        'Metrics:',
        ...exporters.map(([k, v]) => `  ${k.padEnd(22)} ${v.url}${v.running ? '' : ' (not running)'}`),
        '',
      ]
    : [];
  const certs = s.certificates.length
    ? [
        'Certificates:',
        ...s.certificates.map(
          (c) => `  ${c.name.padEnd(11)} expires ${c.notAfter.slice(0, 10)} (${c.daysLeft} day(s) left)`,
        ),
        '',
      ]
    : [];
  return [...metrics, ...certs];
}

/** The WAL archive: the last segment archived and its age, failures, the last backup. */
function archiveLines(s: ClusterStatus): string[] {
  const a = s.archive;
  if (!a) return [];
  const last = a.lastArchivedWal
    ? `last archived ${a.lastArchivedWal} ${ago(a.lastArchivedAgeSeconds ?? 0)}`
    : 'nothing archived yet';
  const failing = a.failing
    ? `FAILING${a.lastFailedAt ? ` since ${a.lastFailedAt} (${a.lastFailedWal})` : ''}: ${a.waitingSegments} segment(s) wait in pg_wal; see the pgBackRest log`
    : `${a.waitingSegments} segment(s) waiting, ${a.failedCount} failure(s) since start`;
  const backup = a.lastBackup
    ? `last backup ${a.lastBackup.label} (${a.lastBackup.type}, ${a.lastBackup.stoppedAt})`
    : 'no backup yet';
  return ['Archive:', `  ${last}; now writing ${a.currentWal ?? '?'}`, `  ${failing}`, `  ${backup}`, ''];
}

/** The readable form of `pgcluster status`: a member table, the endpoints, managed roles and databases. */
export function renderStatusTable(s: ClusterStatus, options: StatusTableOptions = {}): string {
  const paint = options.paint ?? createColors(false);
  const upCommand = options.upCommand ?? `pgcluster up -f ${s.specFile ?? '<spec file>'}`;
  const header = ['MEMBER', 'ROLE', 'STATE', 'HOST:PORT', 'TIMELINE', 'LAG', 'PID'];
  const rows = s.members.map((m) => [
    m.name,
    m.role === 'replica' && m.sync ? (m.quorum ? 'quorum-replica' : 'sync-replica') : m.role,
    m.state + (m.pendingRestart ? ' (restart pending)' : ''),
    `${m.host}:${m.port}`,
    m.timeline === null ? '-' : String(m.timeline),
    m.lagBytes === null ? '-' : `${m.lagBytes} B`,
    m.pid === null ? '-' : String(m.pid),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[], colour: (cell: string, i: number) => string = (c) => c) =>
    cells
      .map((c, i) => colour(i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0), i))
      .join('  ')
      .trimEnd();
  const cellColour = (row: string[]) => (cell: string, i: number) => {
    const value = row[i] ?? '';
    if (i === 1)
      return value === 'primary' || value === 'standby-leader' ? paint.bold(paint.green(cell)) : cell;
    if (i === 2)
      return ['running', 'streaming'].includes(value)
        ? paint.green(cell)
        : value === 'stopped'
          ? paint.red(cell)
          : paint.yellow(cell);
    return cell;
  };
  const hints = s.stopped ? [] : s.members.flatMap((m) => memberHint(m, upCommand));
  const out = [
    s.stopped
      ? `Cluster ${s.name}: ${paint.red('stopped')} (no member runs; its data is kept). Start it: ${upCommand}`
      : s.replica?.readOnly
        ? `Cluster ${s.name}: replica cluster of ${s.replica.source} (read-only, via ${s.replica.via}), standby leader ${s.replica.standbyLeader}`
        : `Cluster ${s.name}: primary ${s.primary ?? '(none)'}`,
    ...(s.replica && !s.replica.readOnly
      ? [`  primary cluster of its group; replicas follow it from ${s.replica.source}'s side`]
      : []),
    ...(s.replica?.demotion
      ? [
          `  last demoted ${s.replica.demotion.at} for ${s.replica.demotion.to}: WAL ended at ${s.replica.demotion.lsn} (timeline ${s.replica.demotion.timeline})`,
        ]
      : []),
    '',
    paint.bold(line(header)),
    ...rows.map((r) => line(r, cellColour(r))),
    '',
    ...(hints.length > 0 ? [...hints.map((h) => (h.startsWith(' ') ? h : paint.yellow(h))), ''] : []),
    'Endpoints (add the password from `pgcluster uri`):',
    `  rw      ${s.endpoints.rw}`,
    `  ro      ${s.endpoints.ro}`,
    `  r       ${s.endpoints.r}`,
    `  pooler  ${s.endpoints.pooler ?? '(disabled)'}`,
    '',
    ...sqlObjectsLines(s),
    ...observabilityLines(s),
    ...archiveLines(s),
  ];
  return out.join('\n');
}
