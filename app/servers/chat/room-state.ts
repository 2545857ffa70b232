import type { RoomLogSnapshot, RoomState } from '../../protocol';

/** One state out of copies of a room found on several chat servers: every member, the longest log. */
export function mergeRoomStates(rid: string, states: readonly RoomState[]): RoomState {
  const members = new Map<string, string>();
  let lastId = 0;
  let log: RoomLogSnapshot | null = null;
  for (const state of states) {
    for (const [uid, frontendId] of state.members) members.set(uid, frontendId);
    lastId = Math.max(lastId, state.lastId);
    if (state.log && (!log || state.log.lastSeq > log.lastSeq)) log = state.log;
  }
  return { rid, lastId, members: [...members], log };
}
