import type { Socket as NetSocket } from 'node:net';

/**
 * Holds the writes to some TCP sockets until the end of this turn of the event loop (`setImmediate`), so
 * that what one turn writes to a socket leaves in one system call: a connector reads many clients' frames
 * in one turn, and each costs a write on every socket it is passed to. `hold` corks a socket once per
 * turn; the writes made meanwhile go to the kernel together when it is uncorked.
 */
export class TurnCorks {
  private readonly corked = new Set<NetSocket>();
  private scheduled = false;

  /** `flushed`: called after each turn's uncorking (once per turn that held a socket). */
  constructor(private readonly flushed?: () => void) {}

  /** Corks `socket` until the end of this turn (or `flush`); a socket held already is left as it is. */
  hold(socket: NetSocket): void {
    if (this.corked.has(socket)) return;
    socket.cork();
    this.corked.add(socket);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.endTurn());
  }

  /** Uncorks what this turn held so far, now (a socket held again later in the turn is uncorked at its end). */
  flush(): void {
    if (this.corked.size === 0) return;
    for (const socket of this.corked) socket.uncork();
    this.corked.clear();
  }

  /** True while sockets are held for the end of this turn. */
  get pending(): boolean {
    return this.scheduled;
  }

  private endTurn(): void {
    this.scheduled = false;
    this.flush();
    this.flushed?.();
  }
}
