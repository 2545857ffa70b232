import type { ModerationEntry, ModerationSnapshot, RoomLogSnapshot, RoomState } from '../../protocol';

/** One state out of copies of a room found on several chat servers: every member, the longest log, every ban and mute. */
export function mergeRoomStates(rid: string, states: readonly RoomState[]): RoomState {
  const members = new Map<string, string>();
  let lastId = 0;
  let lastSeq = 0;
  let log: RoomLogSnapshot | null = null;
  const bans = new Map<string, ModerationEntry>();
  const mutes = new Map<string, ModerationEntry>();
  const keepLongest = (into: Map<string, ModerationEntry>, entries: readonly ModerationEntry[]): void => {
    for (const entry of entries) if ((into.get(entry.username)?.until ?? 0) < entry.until) into.set(entry.username, entry);
  };
  for (const state of states) {
    keepLongest(bans, state.moderation?.bans ?? []);
    keepLongest(mutes, state.moderation?.mutes ?? []);
    for (const [uid, frontendId] of state.members) members.set(uid, frontendId);
    lastId = Math.max(lastId, state.lastId);
    lastSeq = Math.max(lastSeq, state.lastSeq ?? 0);
    if (state.log && (!log || state.log.lastSeq > log.lastSeq)) log = state.log;
  }
  const moderation: ModerationSnapshot | undefined =
    bans.size + mutes.size > 0 ? { bans: [...bans.values()], mutes: [...mutes.values()] } : undefined;
  return { rid, lastId, ...(lastSeq > 0 && { lastSeq }), members: [...members], log, ...(moderation && { moderation }) };
}
