import type { Socket } from 'socket.io';
import { destroyConnection, outgoingBytes } from '../../game-server/frontend/outgoing-buffer';

interface FakeConn {
  writeBuffer: { data?: unknown }[];
  transport?: { socket?: { bufferedAmount?: number; terminate?: () => void } };
  close: jest.Mock;
}

/** A socket.io socket reduced to its engine.io connection, which is all these functions read. */
const socketWith = (conn: Partial<FakeConn>): { socket: Socket; conn: FakeConn } => {
  const full: FakeConn = { writeBuffer: [], close: jest.fn(), ...conn };
  return { socket: { conn: full } as unknown as Socket, conn: full };
};

describe('outgoingBytes', () => {
  it('is 0 for a connection with nothing queued', () => {
    expect(outgoingBytes(socketWith({}).socket)).toBe(0);
  });

  it('adds the websocket`s send buffer to the packets engine.io is holding', () => {
    const { socket } = socketWith({
      writeBuffer: [{ data: 'abcd' }, { data: new Uint8Array(10) }],
      transport: { socket: { bufferedAmount: 100 } },
    });
    expect(outgoingBytes(socket)).toBe(114);
  });

  it('counts a packet without string or binary data (a ping, an object) as 16 bytes', () => {
    const { socket } = socketWith({ writeBuffer: [{}, { data: { type: 'ping' } }] });
    expect(outgoingBytes(socket)).toBe(32);
  });

  it('copes with a transport that has no socket yet (long polling)', () => {
    const { socket } = socketWith({ writeBuffer: [{ data: 'xy' }], transport: {} });
    expect(outgoingBytes(socket)).toBe(2);
  });
});

describe('destroyConnection', () => {
  it('terminates the websocket`s TCP connection rather than closing politely', () => {
    const terminate = jest.fn();
    const { socket, conn } = socketWith({ transport: { socket: { terminate } } });
    destroyConnection(socket);
    expect(terminate).toHaveBeenCalledTimes(1);
    expect(conn.close).not.toHaveBeenCalled();
  });

  it('closes the engine.io connection, discarding its buffer, when there is no websocket to terminate', () => {
    const { socket, conn } = socketWith({ transport: {} });
    destroyConnection(socket);
    expect(conn.close).toHaveBeenCalledWith(true);
  });
});
