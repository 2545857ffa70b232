import net from 'node:net';

/**
 * A TCP proxy to host:port that can go silent: `cut()` stops carrying bytes either way without closing
 * anything, as a network that vanished does (no FIN, no RST), so only heartbeats can tell.
 * `cutCurrent()` silences only the connections open now: a client that connects again gets through.
 */
export class BlackholeProxy {
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private readonly silenced = new Set<[net.Socket, net.Socket]>();
  private cutOff = false;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(host: string, port: number): Promise<BlackholeProxy> {
    const server = net.createServer();
    const proxy = await new Promise<BlackholeProxy>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve(new BlackholeProxy(server, (server.address() as net.AddressInfo).port))),
    );
    server.on('connection', (client) => {
      const upstream = net.connect(port, host);
      const pair: [net.Socket, net.Socket] = [client, upstream];
      proxy.pairs.add(pair);
      const carry = (from: net.Socket, to: net.Socket): void => {
        const silent = (): boolean => proxy.cutOff || proxy.silenced.has(pair);
        from.on('data', (chunk) => {
          if (!silent()) to.write(chunk);
        });
        from.on('close', () => {
          if (!silent()) to.destroy();
          proxy.pairs.delete(pair);
        });
        from.on('error', () => undefined);
      };
      carry(client, upstream);
      carry(upstream, client);
    });
    return proxy;
  }

  cut(): void {
    this.cutOff = true;
  }

  cutCurrent(): void {
    for (const pair of this.pairs) this.silenced.add(pair);
  }

  async stop(): Promise<void> {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
