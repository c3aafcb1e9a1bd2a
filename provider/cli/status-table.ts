import type { ClusterStatus } from '../actions/status';

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
export function renderStatusTable(s: ClusterStatus): string {
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
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [
    `Cluster ${s.name}: primary ${s.primary ?? '(none)'}`,
    '',
    line(header),
    ...rows.map(line),
    '',
    'Endpoints (add the password from `pgcluster uri`):',
    `  rw      ${s.endpoints.rw}`,
    `  ro      ${s.endpoints.ro}`,
    `  r       ${s.endpoints.r}`,
    `  pooler  ${s.endpoints.pooler ?? '(disabled)'}`,
    '',
    ...sqlObjectsLines(s),
    ...archiveLines(s),
  ];
  return out.join('\n');
}
