import type { Application, ServerInfo } from '../../../game-server';
import { Remotes, type RoomState } from '../../protocol';
import { dispatch } from '../../util/dispatcher';
import type { Room } from './room';
import type { RoomRegistry } from './room-registry';
import { mergeRoomStates } from './room-state';

/** How long after a start or a servers-list change this server looks for rooms that moved to it. */
const MOVE_WINDOW_MS = 60_000;
const TAKE_TIMEOUT_MS = 1000;
/** How long a (re)started chat server waits for connectors to re-send their users before serving rooms. */
const RESYNC_WAIT_MS = 1500;

/** A room served here, or the chat server that serves it now. */
export type RoomLocation = { room: Room } | { serverId: string };

/**
 * Finds where a room is served. A room held here is served here; a room owned here
 * (`chats[crc32(rid) % N]`) but not yet held is first asked for from the other chat servers, which
 * hand it over with its members and history (after a scale-out, a scale-in or a restart); a room
 * owned elsewhere is passed on to its owner, once.
 */
export class RoomLocator {
  private readonly pending = new Map<string, Promise<Room | undefined>>();
  private lookUntil = Date.now() + MOVE_WINDOW_MS;
  /** Connectors that have re-sent their users since this server started. */
  private readonly resynced = new Set<string>();
  private ready = false;
  private readonly whenReady: Promise<void>;

  constructor(
    private readonly app: Application,
    private readonly rooms: RoomRegistry,
  ) {
    app.onServersChanged(() => {
      this.lookUntil = Date.now() + MOVE_WINDOW_MS;
    });
    this.whenReady = this.waitForConnectors();
  }

  /** A connector re-sent all its users (see the chat remote's `resync`). */
  connectorResynced(frontendId: string): void {
    this.resynced.add(frontendId);
  }

  /**
   * A chat server that (re)starts holds requests until every connector has re-sent its users (or
   * is down, or a short wait is over): a room served with half its members would answer 200 to
   * messages the other half never get.
   */
  private async waitForConnectors(): Promise<void> {
    const deadline = Date.now() + RESYNC_WAIT_MS;
    const pending = (): boolean =>
      this.app.getServersByType('connector').some((c) => !this.resynced.has(c.id) && this.app.isServerUp(c.id));
    while (pending() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.ready = true;
  }

  owner(rid: string): ServerInfo {
    return dispatch(rid, this.app.getServersByType('chat'));
  }

  /**
   * Where `rid` is served. With `create`, a room owned here that nobody holds is created empty
   * (entering); without, it is only found (sending, leaving).
   */
  async locate(rid: string, redirected: boolean, create: boolean): Promise<RoomLocation | undefined> {
    if (!this.ready) await this.whenReady;
    const local = this.rooms.get(rid);
    if (local) return { room: local };
    const owner = this.owner(rid);
    if (owner.id !== this.app.serverId && !redirected) return { serverId: owner.id };
    const room = await this.obtain(rid, create);
    return room && { room };
  }

  /** The room, taken over from the chat servers that hold it, or created (if `create`). */
  async obtain(rid: string, create: boolean): Promise<Room | undefined> {
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

  private async takeOver(rid: string, create: boolean): Promise<Room | undefined> {
    const states = Date.now() < this.lookUntil ? await this.collect(rid) : [];
    if (states.length === 0) return create ? await this.rooms.create(rid) : undefined;
    const room = await this.rooms.create(rid, mergeRoomStates(rid, states));
    this.app.log.info({ rid, from: states.length, members: room.channel.size }, 'room moved here');
    return room;
  }

  /** Asks every other chat server that is up (this list or an earlier one) to hand `rid` over. */
  private async collect(rid: string): Promise<RoomState[]> {
    const peers = this.app.getServersEverSeen('chat').filter((s) => s.id !== this.app.serverId && this.app.isServerUp(s.id));
    const answers = await Promise.all(
      peers.map((peer) =>
        this.app.rpcClient
          .call(peer, { service: Remotes.chat.name, method: 'takeRoom', args: [rid] }, TAKE_TIMEOUT_MS)
          .then((state) => state as RoomState | null)
          .catch(() => null),
      ),
    );
    return answers.filter((s): s is RoomState => s !== null);
  }
}
