import { AppError, Code, Moved, type Application, type ServerInfo } from '../../../game-server';
import type { RoomState } from '../../protocol';
import { roomServer } from '../../routes/room-server';
import type { Room } from './room';
import type { RoomRegistry } from './room-registry';
import { mergeRoomStates } from './room-state';

/** How long after a start or a servers-list change this server looks for rooms that moved to it. */
const MOVE_WINDOW_MS = 60_000;
/** How long a (re)started chat server waits for connectors to re-send their users before serving rooms. */
const RESYNC_WAIT_MS = 1500;
/** How long a connector may be gone (a pm2 restart) before its users are taken to have left. */
const CONNECTOR_GONE_MS = 5000;

/** What the directory needs of its server. */
export type RoomDirectoryHost = Pick<
  Application,
  'serverId' | 'log' | 'getServersByType' | 'getServersEverSeen' | 'isServerUp' | 'onServersChanged' | 'onLinkDown'
>;

/** Asks a peer chat server to hand `rid` over: its state, or null when it does not hold it. */
export type TakeRoom = (peer: ServerInfo, rid: string) => Promise<RoomState | null>;

/** How a request reached this server: `redirected` when another chat server passed it on (it is served here, not passed again). */
export interface Arrival {
  readonly redirected: boolean;
}

export interface DirectoryTiming {
  moveWindowMs: number;
  resyncWaitMs: number;
  connectorGoneMs: number;
}

/**
 * Who serves each room, and its moves. A room held here is served here; a room owned here
 * (`chats[crc32(rid) % N]`) but not yet held is first asked for from the other chat servers, which
 * hand it over with its members and history (after a scale-out, a scale-in or a restart); a room
 * owned elsewhere throws `Moved` (its owner answers, once). Users of a connector gone for good leave
 * their rooms.
 */
export class RoomDirectory {
  private readonly pending = new Map<string, Promise<Room | undefined>>();
  private lookUntil: number;
  /** Connectors that have re-sent their users since this server started. */
  private readonly resynced = new Set<string>();
  private ready = false;
  private readonly whenReady: Promise<void>;
  /** Set when this server stops: its rooms are on their way to the rooms file, and nothing may reach them. */
  private closed = false;

  constructor(
    private readonly host: RoomDirectoryHost,
    private readonly takeRoom: TakeRoom,
    private readonly rooms: Pick<RoomRegistry, 'get' | 'create' | 'forget' | 'leaveAll'>,
    private readonly timing: DirectoryTiming = {
      moveWindowMs: MOVE_WINDOW_MS,
      resyncWaitMs: RESYNC_WAIT_MS,
      connectorGoneMs: CONNECTOR_GONE_MS,
    },
  ) {
    this.lookUntil = Date.now() + timing.moveWindowMs;
    host.onServersChanged(() => {
      this.lookUntil = Date.now() + timing.moveWindowMs;
    });
    // A connector that does not come back: its users left. One that does re-sends its users anyway.
    host.onLinkDown((server) => {
      if (server.serverType !== 'connector') return;
      setTimeout(() => {
        if (host.isServerUp(server.id)) return;
        const left = rooms.leaveAll(server.id);
        if (left > 0) host.log.warn({ connector: server.id, left }, 'connector gone: its users left their rooms');
      }, timing.connectorGoneMs).unref();
    });
    this.whenReady = this.waitForConnectors();
  }

  /** A connector re-sent all its users (see the chat remote's `resync`). */
  connectorResynced(frontendId: string): void {
    this.resynced.add(frontendId);
  }

  owner(rid: string): ServerInfo {
    return roomServer(rid, this.host.getServersByType('chat'));
  }

  /**
   * The room `rid` served here, or undefined; throws `Moved` when another chat server serves it. With
   * `create`, a room owned here that nobody holds is created empty (entering); without, it is only
   * found (sending, leaving).
   */
  async locate(rid: string, { redirected }: Arrival, create: boolean): Promise<Room | undefined> {
    if (!this.ready) await this.whenReady;
    this.refuseIfClosed();
    const local = this.rooms.get(rid);
    if (local) return local;
    const owner = this.owner(rid);
    if (owner.id !== this.host.serverId && !redirected) throw new Moved(owner.id);
    return this.obtain(rid, create);
  }

  /** Another chat server claimed the log of `room` (it moved while held here): forgets it and throws `Moved` to its owner. */
  lost(room: Room): never {
    this.rooms.forget(room);
    throw new Moved(this.owner(room.rid).id);
  }

  /** The room, taken over from the chat servers that hold it, or created (if `create`). */
  async obtain(rid: string, create: boolean): Promise<Room | undefined> {
    this.refuseIfClosed();
    const local = this.rooms.get(rid);
    if (local) return local;
    let pending = this.pending.get(rid);
    if (!pending) {
      pending = this.takeOver(rid, create).finally(() => this.pending.delete(rid));
      this.pending.set(rid, pending);
    }
    const room = await pending;
    return room ?? (create ? await this.rooms.create(rid) : undefined);
  }

  /** From now on every request for a room answers 503 (this server is stopping); resolves once no room is on its way here. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.pending.values()]);
  }

  private refuseIfClosed(): void {
    if (this.closed) throw new AppError(Code.UNAVAILABLE, `${this.host.serverId} is restarting; try again`);
  }

  /**
   * A chat server that (re)starts holds requests until every connector has re-sent its users (or
   * is down, or a short wait is over): a room served with half its members would answer 200 to
   * messages the other half never get.
   */
  private async waitForConnectors(): Promise<void> {
    const deadline = Date.now() + this.timing.resyncWaitMs;
    const pending = (): boolean =>
      this.host.getServersByType('connector').some((c) => !this.resynced.has(c.id) && this.host.isServerUp(c.id));
    while (pending() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.ready = true;
  }

  private async takeOver(rid: string, create: boolean): Promise<Room | undefined> {
    const states = Date.now() < this.lookUntil ? await this.collect(rid) : [];
    if (states.length === 0) return create ? await this.rooms.create(rid) : undefined;
    const room = await this.rooms.create(rid, mergeRoomStates(rid, states));
    this.host.log.info({ rid, from: states.length, members: room.channel.size }, 'room moved here');
    return room;
  }

  /** Asks every other chat server that is up (this list or an earlier one) to hand `rid` over. */
  private async collect(rid: string): Promise<RoomState[]> {
    const peers = this.host.getServersEverSeen('chat').filter((s) => s.id !== this.host.serverId && this.host.isServerUp(s.id));
    const answers = await Promise.all(peers.map((peer) => this.takeRoom(peer, rid).catch(() => null)));
    return answers.filter((s): s is RoomState => s !== null);
  }
}
