import type { ServerInfo } from '../../game-server/config/server-info';
import { dispatch } from '../../game-server/router/dispatch';

/** `perServer` room ids for each server of `servers`, found by trying names in order. */
export function roomsSpreadOver(servers: readonly ServerInfo[], perServer: number, prefix = 'room'): Map<string, string[]> {
  const rooms = new Map<string, string[]>(servers.map((s) => [s.id, []]));
  for (let i = 0; [...rooms.values()].some((list) => list.length < perServer); i++) {
    const rid = `${prefix}-${i}`;
    const list = rooms.get(dispatch(rid, servers).id)!;
    if (list.length < perServer) list.push(rid);
  }
  return rooms;
}

/** A user name, `prefix` and a number, that the gate places on `connector` (`connectors[crc32(name) % N]`). */
export function userOn(connector: ServerInfo, connectors: readonly ServerInfo[], prefix: string): string {
  for (let i = 0; ; i++) if (dispatch(`${prefix}${i}`, connectors).id === connector.id) return `${prefix}${i}`;
}
