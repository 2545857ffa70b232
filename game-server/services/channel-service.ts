import type { HopTrace, PushMessage } from '../rpc/rpc-messages';

/** Named groups of users with the frontend each is on; a push costs one RPC per frontend, not per user. */
export interface ChannelMember {
  uid: string;
  frontendId: string;
}

/** Who a push leaves out: every session of the uid `except`, or the one session `exceptSid`. */
export type PushSkip = Pick<PushMessage, 'except' | 'exceptSid'>;

/**
 * How channels reach frontends; the application gives it the RPC client. `trace`: the sampled request
 * this push answers, if it is one (game-server/metrics/hop-trace.ts).
 */
export interface PushTransport {
  pushToFrontend(frontendId: string, message: PushMessage, trace?: HopTrace): void;
}

export class Channel {
  private readonly members = new Map<string, string>();
  /** Members per frontend, so a push visits frontends without walking members. */
  private readonly perFrontend = new Map<string, number>();

  constructor(
    readonly name: string,
    private readonly transport: PushTransport,
  ) {}

  add(uid: string, frontendId: string): void {
    this.leave(uid);
    this.members.set(uid, frontendId);
    this.perFrontend.set(frontendId, (this.perFrontend.get(frontendId) ?? 0) + 1);
  }

  /** Removes `uid`; true if it was a member. */
  leave(uid: string): boolean {
    const frontendId = this.members.get(uid);
    if (frontendId === undefined) return false;
    this.members.delete(uid);
    const left = (this.perFrontend.get(frontendId) ?? 1) - 1;
    if (left === 0) this.perFrontend.delete(frontendId);
    else this.perFrontend.set(frontendId, left);
    return true;
  }

  has(uid: string): boolean {
    return this.members.has(uid);
  }

  frontendOf(uid: string): string | undefined {
    return this.members.get(uid);
  }

  uids(): IterableIterator<string> {
    return this.members.keys();
  }

  get size(): number {
    return this.members.size;
  }

  /** Sends `route` to the members on one frontend, if it has any. */
  pushToFrontend(frontendId: string, route: string, msg: unknown): void {
    if (this.perFrontend.has(frontendId)) this.transport.pushToFrontend(frontendId, { route, msg, channel: this.name });
  }

  /** Sends `route` to those of `uids` that are members (but those `skip` names), one push per frontend. */
  pushToMembers(route: string, msg: unknown, uids: readonly string[], skip: PushSkip = {}, trace?: HopTrace): void {
    const members = uids.flatMap((uid) => {
      const frontendId = this.members.get(uid);
      return frontendId === undefined ? [] : [{ uid, frontendId }];
    });
    pushByUids(this.transport, route, msg, members, skip, trace);
  }

  /** Sends `route` to every member (but those `skip` names), one push per frontend; `trace`: see PushTransport. */
  pushMessage(route: string, msg: unknown, skip: PushSkip = {}, trace?: HopTrace): void {
    for (const frontendId of this.perFrontend.keys()) {
      this.transport.pushToFrontend(frontendId, { route, msg, channel: this.name, ...skip }, trace);
    }
  }
}

export class ChannelService {
  private readonly channels = new Map<string, Channel>();

  constructor(private readonly transport: PushTransport) {}

  getOrCreateChannel(name: string): Channel {
    let channel = this.channels.get(name);
    if (!channel) {
      channel = new Channel(name, this.transport);
      this.channels.set(name, channel);
    }
    return channel;
  }

  destroyChannel(name: string): void {
    this.channels.delete(name);
  }

  /** Pushes to a list of users (every session holding each uid, but `skip`), grouped by frontend: one RPC per frontend. */
  pushMessageByUids(route: string, msg: unknown, members: readonly ChannelMember[], skip: PushSkip = {}, trace?: HopTrace): void {
    pushByUids(this.transport, route, msg, members, skip, trace);
  }
}

function pushByUids(
  transport: PushTransport,
  route: string,
  msg: unknown,
  members: readonly ChannelMember[],
  skip: PushSkip,
  trace?: HopTrace,
): void {
  const byFrontend = new Map<string, string[]>();
  for (const { uid, frontendId } of members) {
    const list = byFrontend.get(frontendId);
    if (list) list.push(uid);
    else byFrontend.set(frontendId, [uid]);
  }
  for (const [frontendId, uids] of byFrontend) transport.pushToFrontend(frontendId, { route, msg, uids, ...skip }, trace);
}
