import { AppError, Code, type Application } from '../../../../game-server';
import { Remotes, toUid, type KickEvent, type ModerationAction, type ModerationResult } from '../../../protocol';
import type { Room } from '../room';
import type { RoomRegistry } from '../room-registry';
import type { ModerationStore, Restriction } from './moderation-store';

/** Minutes left until `until`, as a person reads it ("3 more minutes"). */
const minutesLeft = (until: number): string => {
  const minutes = Math.max(1, Math.ceil((until - Date.now()) / 60_000));
  return `${minutes} more minute${minutes === 1 ? '' : 's'}`;
};

/** Kicks, bans and mutes on the chat server that holds the room; and the checks that enforce them. */
export class Moderator {
  constructor(
    private readonly app: Application,
    private readonly rooms: RoomRegistry,
    readonly store: ModerationStore,
  ) {}

  /** 403 while `username` is banned from `rid`. */
  async checkEnter(rid: string, username: string): Promise<void> {
    const ban = await this.store.get(rid, 'ban', username);
    if (ban) throw new AppError(Code.FORBIDDEN, `you are banned from this room for ${minutesLeft(ban.until)}`);
  }

  /** 403 while `username` is muted in `rid`. */
  async checkSend(rid: string, username: string): Promise<void> {
    const mute = await this.store.get(rid, 'mute', username);
    if (mute) throw new AppError(Code.FORBIDDEN, `you are muted in this room for ${minutesLeft(mute.until)}`);
  }

  /** Runs one action on room `rid` (`room`: the room, when someone is in it). */
  async apply(action: ModerationAction, room: Room | undefined): Promise<ModerationResult> {
    const { verb, rid, username, reason } = action;
    const base = { verb, rid, username };
    switch (verb) {
      case 'kick': {
        const kicked = room ? await this.kick(room, username, { rid, reason: reason ?? 'removed by a moderator' }) : false;
        if (!kicked) throw new AppError(Code.NOT_FOUND, `no user "${username}" in room "${rid}"`);
        this.app.log.info({ rid, username, reason }, 'kicked');
        return { ...base, kicked };
      }
      case 'ban':
      case 'mute': {
        const until = Date.now() + requireMinutes(action) * 60_000;
        await this.store.set(rid, verb, { username, until, ...(reason !== undefined && { reason }) });
        // Banned first, then out: an enter racing the kick already meets the ban.
        const kicked =
          verb === 'ban' && room !== undefined
            ? await this.kick(room, username, { rid, reason: reason ?? 'banned by a moderator', until })
            : false;
        this.app.log.info({ rid, username, until: new Date(until).toISOString(), reason }, verb === 'ban' ? 'banned' : 'muted');
        return { ...base, kicked, until };
      }
      case 'unban':
      case 'unmute': {
        const restriction: Restriction = verb === 'unban' ? 'ban' : 'mute';
        const lifted = await this.store.lift(rid, restriction, username);
        this.app.log.info({ rid, username, lifted }, verb === 'unban' ? 'unbanned' : 'unmuted');
        return { ...base, kicked: false, lifted };
      }
    }
  }

  /**
   * Tells the user's connector to push `onKick` and close the connection, then takes the user out of
   * the room (the others get `onLeave`). The connector's socket leaves the room's channel before the
   * leave is pushed, so the user never sees their own leave. False when the user is not in the room.
   */
  private async kick(room: Room, username: string, event: KickEvent): Promise<boolean> {
    const uid = toUid(username, room.rid);
    const frontendId = room.channel.frontendOf(uid);
    if (frontendId === undefined) return false;
    try {
      await this.app.rpc(Remotes.connector).toServer(frontendId).kick(uid, event);
    } catch (err) {
      // Its connector is unreachable: the user leaves the room here all the same, and is refused if banned.
      this.app.log.warn({ uid, connector: frontendId, err: (err as Error).message }, 'could not reach the connector of a kicked user');
    }
    // The connector's own leave (the socket closed) may have got here first.
    if (room.channel.frontendOf(uid) !== undefined) this.rooms.leave(room, uid);
    return true;
  }
}

function requireMinutes({ verb, minutes }: ModerationAction): number {
  if (minutes === undefined) throw new AppError(Code.BAD_REQUEST, `${verb} needs minutes`);
  return minutes;
}
