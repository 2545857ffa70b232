import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { TurnCorks } from '../../game-server/net/turn-corks';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// A real TCP pair on loopback: the unit is what TurnCorks does to the sockets it holds.
describe('TurnCorks', () => {
  let server: Server;
  let a: Socket;
  let b: Socket;
  let accepted: Socket[];

  beforeEach(async () => {
    server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    accepted = [];
    server.on('connection', (socket) => accepted.push(socket));
    a = connect(port, '127.0.0.1');
    b = connect(port, '127.0.0.1');
    await Promise.all([once(a, 'connect'), once(b, 'connect')]);
    while (accepted.length < 2) await once(server, 'connection');
  });

  afterEach(async () => {
    for (const socket of [a, b, ...accepted]) socket.destroy();
    server.close();
    await once(server, 'close');
  });

  it('keeps the writes of one turn in the socket until the turn ends, then hands them over in order', async () => {
    let flushes = 0;
    const corks = new TurnCorks(() => flushes++);
    const received = (async () => {
      const [peer] = accepted.filter((s) => s.remotePort === a.localPort);
      let text = '';
      while (text.length < 3) text += String(((await once(peer!, 'data')) as [Buffer])[0]);
      return text;
    })();
    corks.hold(a);
    a.write('x');
    corks.hold(a);
    a.write('y');
    corks.hold(b);
    b.write('z');
    a.write('w');
    expect(a.writableCorked).toBe(1);
    expect(b.writableCorked).toBe(1);
    expect(a.writableLength).toBe(3);
    expect(corks.pending).toBe(true);
    await nextTurn();
    expect([a.writableCorked, b.writableCorked, flushes, corks.pending]).toEqual([0, 0, 1, false]);
    expect(await received).toBe('xyw');
  });

  it('uncorks at once on flush, and holds a socket again until the end of the turn', async () => {
    let flushes = 0;
    const corks = new TurnCorks(() => flushes++);
    corks.hold(a);
    a.write('x');
    corks.flush();
    expect([a.writableCorked, a.writableLength, flushes]).toEqual([0, 0, 0]);
    corks.hold(a);
    expect(a.writableCorked).toBe(1);
    await nextTurn();
    expect([a.writableCorked, flushes]).toEqual([0, 1]);
  });

  it('holds again in a later turn, and does nothing when nothing was held', async () => {
    let flushes = 0;
    const corks = new TurnCorks(() => flushes++);
    await nextTurn();
    expect(flushes).toBe(0);
    corks.hold(a);
    await nextTurn();
    corks.hold(a);
    expect(a.writableCorked).toBe(1);
    await nextTurn();
    expect([a.writableCorked, flushes]).toEqual([0, 2]);
  });
});
