import { askStatus, type AdminAnswer, type AdminClientOptions } from '../../game-server/admin/admin-client';
import type { SystemStatus } from '../../game-server/admin/admin-messages';
import type { ServerInfo } from '../../game-server/config/server-info';
import type { LinkState } from '../../game-server/rpc/rpc-messages';
import type { RoomStat } from '../servers/chat/chat-stats';

export type ServerState = 'up' | 'down' | 'error';

/** One line of `npm run status`: the server as configured, and what it said (if it answered). */
export interface ServerReport {
  id: string;
  type: string;
  host: string;
  /** Absent for a server without an internal port: it is asked through a server it links to (`via`). */
  port?: number;
  clientPort?: number;
  /** The server that passed our question on (to a server without an internal port). */
  via?: string;
  /** `up`: it answered; `down`: nothing answered on its RPC port; `error`: it runs but gave no status (e.g. refused our RPC_SECRET). */
  state: ServerState;
  /** Why there is no status. */
  error?: string;
  pid?: number;
  uptimeSeconds?: number;
  rssBytes?: number;
  heapUsedBytes?: number;
  /** Frontends: open client sockets, and those bound to a user. */
  connections?: number;
  sessions?: number;
  /** Chat servers: rooms held, and their members. */
  rooms?: number;
  members?: number;
  /** Its internal links: how many there are, and those not up, as `peer (state)`. */
  links?: number;
  linksNotUp?: string[];
  /** Time to connect and answer, in ms. */
  latencyMs: number;
}

export interface RoomReport extends RoomStat {
  server: string;
}

export interface ClusterReport {
  env: string;
  config: string;
  servers: ServerReport[];
  summary: Record<ServerState, number> & { servers: number };
  /** With `rooms`: every room of the chat servers that answered, by rid. */
  rooms?: RoomReport[];
}

export interface StatusOptions extends AdminClientOptions {
  env: string;
  config: string;
  rooms: boolean;
}

/** Asks every server at once; the whole report is ready within about `timeoutMs`, whatever is down. */
export async function collectClusterStatus(servers: readonly ServerInfo[], options: StatusOptions): Promise<ClusterReport> {
  const answers = await Promise.all(servers.map((server) => askStatus(server, { details: options.rooms }, { ...options, servers })));
  const reports = answers.map(toReport);
  const count = (state: ServerState): number => reports.filter((r) => r.state === state).length;
  return {
    env: options.env,
    config: options.config,
    servers: reports,
    summary: { servers: reports.length, up: count('up'), down: count('down'), error: count('error') },
    ...(options.rooms && { rooms: answers.flatMap(roomsOf).sort((a, b) => a.rid.localeCompare(b.rid)) }),
  };
}

function toReport(answer: AdminAnswer<SystemStatus>): ServerReport {
  const { server, ms } = answer;
  const base = {
    id: server.id,
    type: server.serverType,
    host: server.host,
    ...(server.port !== undefined && { port: server.port }),
    ...(server.clientPort !== undefined && { clientPort: server.clientPort }),
  };
  if (!answer.ok) return { ...base, state: answer.reached ? 'error' : 'down', error: answer.error, latencyMs: ms };
  const status = answer.value;
  return {
    ...base,
    ...(answer.via !== undefined && { via: answer.via }),
    state: 'up',
    pid: status.pid,
    uptimeSeconds: status.uptimeSeconds,
    rssBytes: status.memory.rss,
    heapUsedBytes: status.memory.heapUsed,
    ...counts(status, ['connections', 'sessions', 'rooms', 'members'] as const),
    ...(status.links && linkCounts(status.links)),
    latencyMs: ms,
  };
}

/** The numeric fields of `status` among `keys` (each present only on the server types that have it). */
function counts<K extends string>(status: SystemStatus, keys: readonly K[]): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const key of keys) {
    const value = status[key];
    if (typeof value === 'number') out[key] = value;
  }
  return out;
}

function linkCounts(links: Record<string, LinkState>): Pick<ServerReport, 'links' | 'linksNotUp'> {
  const notUp = Object.entries(links).filter(([, state]) => state !== 'up');
  return { links: Object.keys(links).length, linksNotUp: notUp.map(([peer, state]) => `${peer} (${state})`) };
}

function roomsOf(answer: AdminAnswer<SystemStatus>): RoomReport[] {
  if (!answer.ok || !Array.isArray(answer.value.roomList)) return [];
  return (answer.value.roomList as RoomStat[]).map(({ rid, members }) => ({ rid, members, server: answer.server.id }));
}
