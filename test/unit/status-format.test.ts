import type { ClusterReport, ServerReport } from '../../app/cli/cluster-status';
import { formatBytes, formatRooms, formatServers, formatUptime } from '../../app/cli/status-format';
import { renderTable } from '../../app/cli/text-table';

const up = (id: string, type: string, port: number, extra: Partial<ServerReport> = {}): ServerReport => ({
  id,
  type,
  host: '127.0.0.1',
  port,
  state: 'up',
  pid: 4100 + port - 4000,
  uptimeSeconds: 125,
  rssBytes: 64 * 1024 * 1024,
  latencyMs: 3,
  ...extra,
});

const report: ClusterReport = {
  env: 'development',
  config: 'config/servers.json',
  servers: [
    up('gate-server-1', 'gate', 4014, { connections: 0, sessions: 0, links: 1, linksNotUp: [] }),
    up('connector-server-1', 'connector', 4050, { connections: 12, sessions: 11, links: 2, linksNotUp: [] }),
    up('chat-server-1', 'chat', 6050, { rooms: 2, members: 11, uptimeSeconds: 7, links: 3, linksNotUp: ['chat-server-2 (down)'] }),
    { id: 'chat-server-2', type: 'chat', host: '127.0.0.1', port: 6051, state: 'down', error: 'connection refused', latencyMs: 2 },
  ],
  summary: { servers: 4, up: 3, down: 1, error: 0 },
  rooms: [
    { rid: 'lobby', server: 'chat-server-1', members: 9 },
    { rid: 'quiet', server: 'chat-server-1', members: 2 },
  ],
};

describe('status output', () => {
  it('writes uptimes with their two largest units', () => {
    expect([0, 42, 60, 125, 3599, 3600, 7505, 86_399, 90_061, 1_000_000].map(formatUptime)).toEqual([
      '0s',
      '42s',
      '1m 00s',
      '2m 05s',
      '59m 59s',
      '1h 00m',
      '2h 05m',
      '23h 59m',
      '1d 01h',
      '11d 13h',
    ]);
  });

  it('writes memory in KiB, MiB or GiB', () => {
    expect([512 * 1024, 70.44 * 1024 * 1024, 3 * 1024 ** 3].map(formatBytes)).toEqual(['512.0 KiB', '70.4 MiB', '3.00 GiB']);
  });

  it('aligns columns: text to the left, numbers to the right, "-" for a missing value', () => {
    const table = renderTable(
      [
        { title: 'NAME', value: (r: { name: string; n?: number }) => r.name },
        { title: 'N', value: (r) => r.n, align: 'right' },
      ],
      [{ name: 'a', n: 1000 }, { name: 'longer' }],
    );
    expect(table).toBe(['NAME       N', 'a       1000', 'longer     -'].join('\n'));
  });

  it('shows every server, a summary with totals, why a server gave no status, and links not up', () => {
    expect(formatServers(report)).toBe(
      [
        'SERVER              TYPE       ADDRESS         STATE   PID  UPTIME       RSS  CONNS  SESSIONS  ROOMS  MEMBERS  LINKS',
        'gate-server-1       gate       127.0.0.1:4014  up     4114  2m 05s  64.0 MiB      0         0      -        -    1/1',
        'connector-server-1  connector  127.0.0.1:4050  up     4150  2m 05s  64.0 MiB     12        11      -        -    2/2',
        'chat-server-1       chat       127.0.0.1:6050  up     6150      7s  64.0 MiB      -         -      2       11    2/3',
        'chat-server-2       chat       127.0.0.1:6051  down      -       -         -      -         -      -        -      -',
        '',
        '4 servers (development, config/servers.json): 3 up, 1 down; 12 connections, 11 sessions, 2 rooms, 11 members',
        '  chat-server-2 down: connection refused',
        '  chat-server-1 links not up: chat-server-2 (down)',
      ].join('\n'),
    );
  });

  it('shows a server without an internal port by its host, and which server passed the question on', () => {
    const { port: _port, ...gate } = up('gate-server-1', 'gate', 4014, { connections: 0, sessions: 0, via: 'chat-server-1' });
    const down = { id: 'gate-server-2', type: 'gate', host: '127.0.0.1', state: 'down', latencyMs: 1 } as const;
    const text = formatServers({
      ...report,
      servers: [gate, { ...down, error: 'no internal port, and no server has a link from it' }],
      summary: { servers: 2, up: 1, down: 1, error: 0 },
    });
    expect(text.split('\n')).toEqual([
      'SERVER         TYPE  ADDRESS              STATE   PID  UPTIME       RSS  CONNS  SESSIONS  ROOMS  MEMBERS  LINKS',
      'gate-server-1  gate  127.0.0.1 (no port)  up     4114  2m 05s  64.0 MiB      0         0      -        -      -',
      'gate-server-2  gate  127.0.0.1 (no port)  down      -       -         -      -         -      -        -      -',
      '',
      '2 servers (development, config/servers.json): 1 up, 1 down; 0 connections, 0 sessions, 0 rooms, 0 members',
      '  gate-server-2 down: no internal port, and no server has a link from it',
      '  gate-server-1 has no internal port: asked through chat-server-1',
    ]);
  });

  it('lists rooms with their server and members, and names the chat servers whose rooms are unknown', () => {
    expect(formatRooms(report)).toBe(
      [
        'ROOM   SERVER         MEMBERS',
        'lobby  chat-server-1        9',
        'quiet  chat-server-1        2',
        'rooms not known for chat-server-2 (not up)',
      ].join('\n'),
    );
    expect(formatRooms({ ...report, rooms: [], servers: report.servers.slice(0, 3) })).toBe('no rooms');
  });
});
