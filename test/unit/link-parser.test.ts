import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';
import { LinkEncoder } from '../../game-server/rpc/link-parser';

const message = (i: number) => ({
  id: i,
  msg: `hello ${i} "quoted" é`,
  from: 'ann',
  target: '*',
  time: 1_700_000_000_000 + i,
  seq: i,
  rid: 'r1',
});
const pushBatch = (n: number): Packet => ({
  type: PacketType.EVENT,
  nsp: '/',
  data: ['push', Array.from({ length: n }, (_v, i) => ({ route: 'onChat', msg: message(i), channel: 'r1' })), { sentAt: 123.456 }],
});

/** `value` behind proxies that count every property read, at any depth. */
function counted<T>(value: T, reads: { n: number }): T {
  if (typeof value !== 'object' || value === null) return value;
  return new Proxy(value, {
    get(target, key, receiver) {
      reads.n++;
      return counted(Reflect.get(target, key, receiver) as unknown, reads);
    },
  });
}

const decode = (encoded: unknown[]): Promise<Packet> =>
  new Promise((resolve) => {
    const decoder = new Decoder();
    decoder.on('decoded', resolve);
    for (const part of encoded) decoder.add(part);
  });

describe("the internal links' encoder", () => {
  it("writes a push batch byte for byte as socket.io's encoder does, and socket.io's decoder reads it back", async () => {
    const packet = pushBatch(20);
    const ours = new LinkEncoder().encode(packet);
    expect(ours).toEqual(new Encoder().encode(packet));
    expect(ours).toHaveLength(1);
    expect(await decode(ours)).toEqual({ type: PacketType.EVENT, nsp: '/', data: packet.data });
  });

  it('reads each field of a push batch once: no search for binary before JSON.stringify', () => {
    const [theirs, ours] = [{ n: 0 }, { n: 0 }];
    new Encoder().encode(counted(pushBatch(10), theirs));
    new LinkEncoder().encode(counted(pushBatch(10), ours));
    // socket.io's walks every object twice (hasBinary, then JSON.stringify).
    expect(ours.n).toBeGreaterThan(0);
    expect(ours.n).toBeLessThan(theirs.n * 0.6);
  });

  it('encodes every other packet as socket.io does: binary in a forwarded body stays binary', async () => {
    const forward: Packet = {
      type: PacketType.EVENT,
      nsp: '/',
      id: 7,
      data: ['forward', { route: 'chat.chatHandler.send', body: { content: 'hi', blob: Buffer.from([1, 2, 3]) } }],
    };
    const ours = new LinkEncoder().encode(forward);
    expect(ours).toEqual(new Encoder().encode(forward));
    expect(ours.length).toBe(2); // the packet, then its one attachment
    const call: Packet = { type: PacketType.EVENT, nsp: '/', id: 3, data: ['call', { service: 'x', method: 'y', args: [] }] };
    expect(new LinkEncoder().encode(call)).toEqual(new Encoder().encode(call));
    // A push event on another namespace or with an acknowledgement is not the batch this encoder knows.
    const acked: Packet = { ...pushBatch(1), id: 1 };
    expect(new LinkEncoder().encode(acked)).toEqual(new Encoder().encode(acked));
  });
});
