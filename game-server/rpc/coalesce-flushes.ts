import type { Socket as NetSocket } from 'node:net';

type Flush = (this: unknown, packets: unknown[]) => unknown;

const coalesced = new WeakSet<object>();

/**
 * Makes an engine.io websocket transport (`send` on the server, `write` on the client) hand each flush
 * of several packets to the kernel in one write. engine.io writes every packet as a websocket frame of
 * its own, one system call each, and a busy link flushes several at once (the calls, replies and
 * pushes queued while the previous write was under way): corking the TCP socket around the flush
 * makes them one `writev`.
 */
export function coalesceFlushes(transport: object, method: 'send' | 'write', tcp: NetSocket | undefined): void {
  if (!tcp || coalesced.has(transport)) return;
  const target = transport as Record<string, unknown>;
  const flush = target[method];
  if (typeof flush !== 'function') return;
  coalesced.add(transport);
  target[method] = function (this: unknown, packets: unknown[]): unknown {
    if (packets.length < 2 || tcp.destroyed) return (flush as Flush).call(this, packets);
    tcp.cork();
    try {
      return (flush as Flush).call(this, packets);
    } finally {
      tcp.uncork();
    }
  };
}

/** The engine.io transport and TCP socket under a socket.io server-side socket (websocket only). */
export function serverTransport(socket: { conn: unknown }): { transport: object; tcp?: NetSocket } {
  const { transport } = socket.conn as { transport: { socket?: { _socket?: NetSocket } } };
  return { transport, tcp: transport.socket?._socket };
}

/** The engine.io-client transport and TCP socket under a connected socket.io-client socket (websocket only). */
export function clientTransport(socket: { io: { engine: unknown } }): { transport: object; tcp?: NetSocket } {
  const { transport } = socket.io.engine as { transport: { ws?: { _socket?: NetSocket } } };
  return { transport, tcp: transport.ws?._socket };
}
