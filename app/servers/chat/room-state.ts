import type { ChatMessage, RoomState } from '../../protocol';

/** One state out of copies of a room found on several chat servers: every member, every message. */
export function mergeRoomStates(rid: string, states: readonly RoomState[]): RoomState {
  const members = new Map<string, string>();
  const messages = new Map<number, ChatMessage>();
  let lastId = 0;
  for (const state of states) {
    for (const [uid, frontendId] of state.members) members.set(uid, frontendId);
    for (const message of state.history) messages.set(message.id, message);
    lastId = Math.max(lastId, state.lastId);
  }
  return { rid, lastId, members: [...members], history: [...messages.values()].sort((a, b) => a.id - b.id) };
}
