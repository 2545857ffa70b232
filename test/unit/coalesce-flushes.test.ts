import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { coalesceFlushes } from '../../game-server/rpc/coalesce-flushes';

// A fake engine.io transport over a real TCP pair on loopback: the unit is what the wrapper does to the socket.
describe('coalesceFlushes', () => {
  let server: Server;
  let client: Socket;
  let accepted: Socket;

  beforeEach(async () => {
    server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    client = connect(port, '127.0.0.1');
    [accepted] = (await once(server, 'connection')) as [Socket];
  });

  afterEach(async () => {
    client.destroy();
    accepted.destroy();
    server.close();
    await once(server, 'close');
  });

  function fakeTransport(): { corkedDuringWrites: number[]; send: (packets: string[]) => void } {
    const corkedDuringWrites: number[] = [];
    return {
      corkedDuringWrites,
      send: (packets: string[]) => {
        for (const packet of packets) {
          corkedDuringWrites.push(client.writableCorked);
          client.write(packet);
        }
      },
    };
  }

  it('writes a flush of several packets with the socket corked, in order, and uncorks after', async () => {
    const transport = fakeTransport();
    coalesceFlushes(transport, 'send', client);
    transport.send(['a', 'b', 'c']);
    expect(transport.corkedDuringWrites).toEqual([1, 1, 1]);
    expect(client.writableCorked).toBe(0);
    let received = '';
    while (received.length < 3) received += String(((await once(accepted, 'data')) as [Buffer])[0]);
    expect(received).toBe('abc');
  });

  it('leaves a single packet as it was, and wraps a transport once', () => {
    const transport = fakeTransport();
    coalesceFlushes(transport, 'send', client);
    coalesceFlushes(transport, 'send', client);
    transport.send(['a']);
    transport.send(['b', 'c']);
    expect(transport.corkedDuringWrites).toEqual([0, 1, 1]);
  });

  it('does nothing without a TCP socket', () => {
    const transport = fakeTransport();
    const send = transport.send;
    coalesceFlushes(transport, 'send', undefined);
    expect(transport.send).toBe(send);
  });
});
