import type { ClusterReport, RoomReport, ServerReport } from './cluster-status';
import { renderTable, type Column } from './text-table';

/** `42s`, `5m 03s`, `2h 05m`, `3d 04h`: two units are enough to tell a restart from a long run. */
export function formatUptime(seconds: number): string {
  const s = Math.floor(seconds);
  const two = (n: number): string => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${two(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86_400)}d ${two(Math.floor(s / 3600) % 24)}h`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  return `${(bytes / (1024 * 1024 * 1024)).toFixed(2)} GiB`;
}

const serverColumns: Column<ServerReport>[] = [
  { title: 'SERVER', value: (r) => r.id },
  { title: 'TYPE', value: (r) => r.type },
  { title: 'ADDRESS', value: (r) => (r.port === undefined ? `${r.host} (no port)` : `${r.host}:${r.port}`) },
  { title: 'STATE', value: (r) => r.state },
  { title: 'PID', value: (r) => r.pid, align: 'right' },
  { title: 'UPTIME', value: (r) => (r.uptimeSeconds === undefined ? undefined : formatUptime(r.uptimeSeconds)), align: 'right' },
  { title: 'RSS', value: (r) => (r.rssBytes === undefined ? undefined : formatBytes(r.rssBytes)), align: 'right' },
  { title: 'CONNS', value: (r) => r.connections, align: 'right' },
  { title: 'SESSIONS', value: (r) => r.sessions, align: 'right' },
  { title: 'ROOMS', value: (r) => r.rooms, align: 'right' },
  { title: 'MEMBERS', value: (r) => r.members, align: 'right' },
  {
    title: 'LINKS',
    value: (r) => (r.links === undefined ? undefined : `${r.links - (r.linksNotUp?.length ?? 0)}/${r.links}`),
    align: 'right',
  },
];

const roomColumns: Column<RoomReport>[] = [
  { title: 'ROOM', value: (r) => r.rid },
  { title: 'SERVER', value: (r) => r.server },
  { title: 'MEMBERS', value: (r) => r.members, align: 'right' },
];

const sum = (reports: readonly ServerReport[], key: 'connections' | 'sessions' | 'rooms' | 'members'): number =>
  reports.reduce((total, r) => total + (r[key] ?? 0), 0);

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The servers table, a summary line, one line per server that gave no status, saying why, one per server
 * with internal links not up, saying which, and one per server without an internal port, saying which
 * server passed our question on.
 */
export function formatServers(report: ClusterReport): string {
  const { servers, summary } = report;
  const counts = [`${summary.up} up`, `${summary.down} down`, ...(summary.error > 0 ? [`${summary.error} error`] : [])].join(', ');
  const lines = [
    renderTable(serverColumns, servers),
    '',
    `${plural(summary.servers, 'server')} (${report.env}, ${report.config}): ${counts}; ` +
      `${plural(sum(servers, 'connections'), 'connection')}, ${plural(sum(servers, 'sessions'), 'session')}, ` +
      `${plural(sum(servers, 'rooms'), 'room')}, ${plural(sum(servers, 'members'), 'member')}`,
  ];
  for (const r of servers) if (r.error !== undefined) lines.push(`  ${r.id} ${r.state}: ${r.error}`);
  for (const r of servers) if (r.linksNotUp?.length) lines.push(`  ${r.id} links not up: ${r.linksNotUp.join(', ')}`);
  for (const r of servers) if (r.via !== undefined) lines.push(`  ${r.id} has no internal port: asked through ${r.via}`);
  return lines.join('\n');
}

/** Which room lives on which chat server, and the chat servers whose rooms are unknown. */
export function formatRooms(report: ClusterReport): string {
  const rooms = report.rooms ?? [];
  const lines = rooms.length > 0 ? [renderTable(roomColumns, rooms)] : ['no rooms'];
  const unknown = report.servers.filter((r) => r.type === 'chat' && r.state !== 'up').map((r) => r.id);
  if (unknown.length > 0) lines.push(`rooms not known for ${unknown.join(', ')} (not up)`);
  return lines.join('\n');
}
