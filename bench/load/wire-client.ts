/**
 * A minimal socket.io 4 client straight on `ws` for the load generator: the Engine.IO v4 / Socket.IO v5
 * framing of text packets only (open, ping/pong, connect, event, ack), with pushes handed over as raw
 * frames so a receiver pays only for what it reads. socket.io-client would cost the load generator
 * several times more CPU per message on a machine it shares with the servers.
 */
import WebSocket from 'ws';

export type PushListener = (frame: string) => void;

type Ack = (reply: unknown) => void;

export class WireClient {
  private nextAckId = 0;
  private readonly acks = new Map<number, Ack>();
  /** Called with every event frame from the server, e.g. `42["onChat",{...}]`. */
  onPush: PushListener = () => undefined;

  private constructor(private readonly ws: WebSocket) {}

  /** Opens a socket.io connection to the default namespace; rejects on error or after `timeoutMs`. */
  static connect(host: string, port: number, timeoutMs = 10_000): Promise<WireClient> {
    const ws = new WebSocket(`ws://${host}:${port}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    const client = new WireClient(ws);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`connect ${host}:${port}: no answer within ${timeoutMs} ms`)), timeoutMs);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        ws.terminate();
        reject(err);
      };
      ws.once('error', fail);
      ws.on('close', () => client.failPending());
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) return;
        const frame = data.toString();
        if (frame === '40' || frame.startsWith('40{')) {
          clearTimeout(timer);
          ws.off('error', fail);
          ws.on('error', () => undefined);
          resolve(client);
          return;
        }
        client.receive(frame, fail);
      });
    });
  }

  /** Sends a request and resolves with its acknowledgement (or rejects after `timeoutMs`). */
  request(route: string, body: unknown, timeoutMs = 10_000): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = this.nextAckId++;
      const timer = setTimeout(() => {
        this.acks.delete(id);
        reject(new Error(`${route}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.acks.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.send(id, route, body);
    });
  }

  /** Sends a request whose acknowledgement goes to `onAck`; no timer, for the hot loop. */
  requestNoTimer(route: string, body: unknown, onAck: Ack): void {
    const id = this.nextAckId++;
    this.acks.set(id, onAck);
    this.send(id, route, body);
  }

  get pendingAcks(): number {
    return this.acks.size;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  close(): void {
    this.ws.terminate();
  }

  private send(id: number, route: string, body: unknown): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(`42${id}${JSON.stringify([route, body])}`);
  }

  private receive(frame: string, fail: (err: Error) => void): void {
    const type = frame.charCodeAt(0);
    if (type === 0x32 /* '2' ping */) return this.ws.send('3');
    if (type === 0x30 /* '0' open */) return this.ws.send('40');
    if (type !== 0x34 /* '4' message */) return;
    const packet = frame.charCodeAt(1);
    if (packet === 0x32 /* '2' event */) return this.onPush(frame);
    if (packet === 0x33 /* '3' ack */) {
      const bracket = frame.indexOf('[');
      const id = Number(frame.slice(2, bracket));
      const ack = this.acks.get(id);
      if (!ack) return;
      this.acks.delete(id);
      ack((JSON.parse(frame.slice(bracket)) as unknown[])[0]);
      return;
    }
    if (packet === 0x34 /* '4' connect_error */) fail(new Error(`connect refused: ${frame.slice(2)}`));
  }

  private failPending(): void {
    for (const ack of this.acks.values()) ack({ code: 0, error: 'connection closed' });
    this.acks.clear();
  }
}
