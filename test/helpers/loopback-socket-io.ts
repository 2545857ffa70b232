import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connectClient, type ManagerOptions, type Socket as ClientSocket, type SocketOptions } from 'socket.io-client';

/** A websocket-only socket.io server on 127.0.0.1 and the clients connected to it, for unit tests of what socket.io keeps per connection. */
export class LoopbackSocketIo {
  private readonly clients: ClientSocket[] = [];

  private constructor(
    readonly io: Server,
    private readonly port: number,
  ) {}

  static async start(): Promise<LoopbackSocketIo> {
    const http = createServer();
    const io = new Server(http, { transports: ['websocket'] });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    return new LoopbackSocketIo(io, (http.address() as AddressInfo).port);
  }

  /** A new client (websocket, no reconnection), disconnected by `close`. */
  connect(options: Partial<ManagerOptions & SocketOptions> = {}): ClientSocket {
    const client = connectClient(`http://127.0.0.1:${this.port}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      ...options,
    });
    this.clients.push(client);
    return client;
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.disconnect();
    await this.io.close();
  }
}
