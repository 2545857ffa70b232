import type { ServerInfo } from '../config/server-info';

/**
 * The servers that may pass a call on to `target`, a server without an internal port, over the link
 * `target` opened to them (`__system.relay`): those with a port, backends first, since every frontend
 * links to every backend; then the frontends an application may have it link to (a gate to its connectors).
 */
export function relayCandidates(target: ServerInfo, servers: readonly ServerInfo[]): ServerInfo[] {
  const withPort = servers.filter((s) => s.id !== target.id && s.port !== undefined);
  return [...withPort.filter((s) => !s.frontend), ...withPort.filter((s) => s.frontend)];
}
