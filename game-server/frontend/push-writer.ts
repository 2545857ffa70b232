import type { Socket as NetSocket } from 'node:net';
import type { Socket } from 'socket.io';
import WebSocket from 'ws';
import { hopNow } from '../metrics/hop-trace';
import { TurnCorks } from '../net/turn-corks';

interface FrameOptions {
  readOnly: boolean;
  mask: boolean;
  rsv1: boolean;
  opcode: number;
  fin: boolean;
}
/** `ws`'s frame builder, as socket.io-adapter uses it for its pre-encoded broadcasts (untyped in @types/ws). */
const { Sender } = WebSocket as unknown as { Sender: { frame(this: void, data: Buffer, options: FrameOptions): Buffer[] } };

interface EngineConnection {
  readyState: string;
  transport?: { name: string; socket?: { readyState: number; _socket?: NetSocket } };
}

/**
 * Writes pushes to client sockets at the cost of a memory copy each. A push is encoded once into the
 * websocket frame socket.io would send (`42["route",msg]`, namespace `/`), and the same bytes go to
 * every recipient's TCP socket, corked until the end of this turn of the event loop: the pushes of a
 * burst leave in one write per socket instead of one system call per message, which is where a
 * connector's time went (engine.io writes every packet on its own). A socket not (yet) on websocket
 * gets the push through socket.io as usual.
 */
export class PushWriter {
  private readonly corks = new TurnCorks(() => this.flushed());
  /** Called with the time of the next flush: one per push batch, not per message. */
  private readonly waiting: ((writtenAt: number) => void)[] = [];

  /** The websocket frame of a push, shared by all its recipients. */
  static encode(route: string, msg: unknown): Buffer {
    const payload = Buffer.from(`42${JSON.stringify([route, msg])}`);
    return Buffer.concat(Sender.frame(payload, { readOnly: false, mask: false, rsv1: false, opcode: 1, fin: true }));
  }

  write(socket: Socket, frame: Buffer, route: string, msg: unknown): void {
    const stream = websocketStream(socket);
    if (!stream) {
      socket.emit(route, msg);
      return;
    }
    this.corks.hold(stream);
    stream.write(frame);
  }

  /** Calls `done` with the time the corked writes so far have been handed to the kernel (now, if there are none). */
  afterWrite(done: (writtenAt: number) => void): void {
    if (this.corks.pending) this.waiting.push(done);
    else done(hopNow());
  }

  private flushed(): void {
    if (this.waiting.length === 0) return;
    const writtenAt = hopNow();
    for (const done of this.waiting.splice(0)) done(writtenAt);
  }
}

/** The TCP socket under an open websocket connection, or undefined (long-polling, upgrading, closing). */
function websocketStream(socket: Socket): NetSocket | undefined {
  const { readyState, transport } = socket.conn as unknown as EngineConnection;
  if (readyState !== 'open' || transport?.name !== 'websocket') return undefined;
  const ws = transport.socket;
  const stream = ws?._socket;
  return ws?.readyState === WebSocket.OPEN && stream && !stream.destroyed ? stream : undefined;
}
