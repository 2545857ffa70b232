/**
 * Thrown by a handler or a remote whose state (a room, say) now lives on another server of its type: the runtime
 * passes the request or call on to `serverId` once, and answers with its reply. Thrown again there, it is 503.
 */
export class Moved extends Error {
  constructor(readonly serverId: string) {
    super(`moved to ${serverId}`);
    this.name = 'Moved';
  }
}
