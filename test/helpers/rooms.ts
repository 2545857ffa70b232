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
