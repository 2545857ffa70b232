import type { Socket } from 'socket.io';

interface EnginePacket {
  data?: unknown;
}

interface EngineTransport {
  socket?: { bufferedAmount?: number; terminate?: () => void };
}

/**
 * Bytes queued for a client and not yet taken by the network: engine.io's write buffer (packets
 * waiting while the transport is busy) plus the websocket's own send buffer.
 */
export function outgoingBytes(socket: Socket): number {
  const conn = socket.conn as unknown as { writeBuffer: EnginePacket[]; transport?: EngineTransport };
  let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer) {
    const { data } = packet;
    bytes += typeof data === 'string' ? data.length : data instanceof Uint8Array ? data.byteLength : 16;
  }
  return bytes;
}

/**
 * Closes a connection at once. A polite close would wait for the write buffer to drain, and a client
 * that stopped reading never drains it: terminate the websocket's TCP connection instead.
 */
export function destroyConnection(socket: Socket): void {
  const conn = socket.conn as unknown as { transport?: EngineTransport; close(discard?: boolean): void };
  const ws = conn.transport?.socket;
  if (ws?.terminate) ws.terminate();
  else conn.close(true);
}
