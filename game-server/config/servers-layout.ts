import { freePorts } from '../free-ports';
import type { ServerInfo } from './server-info';

export interface LayoutOptions {
  connectors?: number;
  chats?: number;
  /** Host of every server (default 127.0.0.1). */
  host?: string;
}

/** A servers.json environment section (for tests and the benchmark), Pomelo's shape, on free ports: gate, connectors, chat servers. */
export async function generateLayout({ connectors = 3, chats = 3, host = '127.0.0.1' }: LayoutOptions = {}): Promise<ServerInfo[]> {
  const ports = await freePorts(2 + connectors * 2 + chats, host);
  const next = (): number => ports.shift()!;
  const servers: ServerInfo[] = [{ id: 'gate-server-1', serverType: 'gate', host, port: next(), clientPort: next(), frontend: true }];
  for (let i = 1; i <= connectors; i++) {
    servers.push({ id: `connector-server-${i}`, serverType: 'connector', host, port: next(), clientPort: next(), frontend: true });
  }
  for (let i = 1; i <= chats; i++) servers.push({ id: `chat-server-${i}`, serverType: 'chat', host, port: next() });
  return servers;
}

/** The JSON of config/servers.json for `servers` under one environment. */
export function serversJson(servers: readonly ServerInfo[], env = 'development'): string {
  const section: Record<string, object[]> = {};
  for (const { serverType, ...entry } of servers) (section[serverType] ??= []).push(entry);
  return JSON.stringify({ [env]: section }, null, 2);
}
