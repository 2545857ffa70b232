import type { Application, ServerInfo, ServerMap } from '../../../game-server';
import { Remotes, type MemberRef } from '../../protocol';
import { roomServer } from '../../routes/room-server';
import type { ConnectionRooms } from './connection-rooms';

/**
 * Connectors are the source of truth for who is in which room; chat servers' rooms are derived.
 * When a link to a chat server comes up (first start, or the chat server restarted empty), this
 * connector re-sends all its users whose rooms live there; when the servers list changes, it sends
 * each user whose room moved to the room's new chat server.
 */
export function keepChatServersInSync(app: Application, rooms: ConnectionRooms): void {
  const chat = app.rpc(Remotes.chat);

  const membersByOwner = (chats: readonly ServerInfo[]): Map<string, MemberRef[]> => {
    const byOwner = new Map<string, MemberRef[]>();
    if (chats.length === 0) return byOwner;
    for (const member of rooms.members()) {
      const owner = roomServer(member.rid, chats).id;
      const list = byOwner.get(owner) ?? [];
      list.push(member);
      byOwner.set(owner, list);
    }
    return byOwner;
  };

  const send = async (serverId: string, members: MemberRef[], authoritative: boolean): Promise<void> => {
    try {
      await chat.toServer(serverId).resync(app.serverId, members, authoritative);
    } catch (err) {
      app.log.warn({ peer: serverId, members: members.length, err: (err as Error).message }, 'could not re-send users to a chat server');
    }
  };

  app.onLinkUp((server) => {
    if (server.serverType !== 'chat') return;
    void send(server.id, membersByOwner(app.getServersByType('chat')).get(server.id) ?? [], true);
  });

  app.onServersChanged(async (previous: ServerMap, current: ServerMap) => {
    const before = previous.get('chat') ?? [];
    const after = current.get('chat') ?? [];
    const moved = new Map<string, MemberRef[]>();
    for (const [owner, members] of membersByOwner(after)) {
      const movers = before.length === 0 ? members : members.filter((m) => roomServer(m.rid, before).id !== owner);
      if (movers.length > 0) moved.set(owner, movers);
    }
    await Promise.all([...moved].map(([owner, members]) => send(owner, members, false)));
  });
}
