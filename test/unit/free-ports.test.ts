import { readFileSync } from 'node:fs';
import net from 'node:net';
import { freePorts, portPool } from '../../game-server/free-ports';

describe('freePorts', () => {
  it('hands out a port once, though nothing listens on it yet: runs side by side never get the same one', async () => {
    // What listen(0) + close would get wrong: ports chosen but not bound yet are free to the OS.
    const calls = await Promise.all(Array.from({ length: 10 }, () => freePorts(5)));
    for (let i = 0; i < 10; i++) calls.push(await freePorts(5));
    const ports = calls.flat();
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('takes ports from outside the range the OS hands out by itself', async () => {
    const [low, high] = portPool();
    expect(high - low).toBeGreaterThanOrEqual(1000);
    for (const port of await freePorts(20)) {
      expect(port).toBeGreaterThanOrEqual(low);
      expect(port).toBeLessThanOrEqual(high);
    }
    // (Unless the OS keeps no 1000 ports to itself: then the pool is all of them, reservations still apply.)
    if (process.platform === 'linux' && !(low === 1024 && high === 65535)) {
      const [ephemeralLow, ephemeralHigh] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
      expect(high < ephemeralLow! || low > ephemeralHigh!).toBe(true);
    }
  });

  it('hands out ports a server can listen on', async () => {
    const servers = await Promise.all(
      (await freePorts(3)).map(
        (port) =>
          new Promise<net.Server>((resolve, reject) => {
            const server = net.createServer();
            server.once('error', reject);
            server.listen(port, '127.0.0.1', () => resolve(server));
          }),
      ),
    );
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });
});
