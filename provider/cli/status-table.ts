import type { ClusterStatus } from '../actions/status';

/** The readable form of `pgcluster status`: a member table, then the endpoints. */
export function renderStatusTable(s: ClusterStatus): string {
  const header = ['MEMBER', 'ROLE', 'STATE', 'HOST:PORT', 'TIMELINE', 'LAG', 'PID'];
  const rows = s.members.map((m) => [
    m.name,
    m.role === 'replica' && m.sync ? 'sync-replica' : m.role,
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
  ];
  return out.join('\n');
}
