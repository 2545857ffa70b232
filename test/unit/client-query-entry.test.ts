/**
 * The client library's question to the gate (`GET /entry`): the URL it asks for each gate address, and
 * the ChatClientError each failure becomes (the browser client words them by these messages and codes).
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChatClientError } from 'chatofpomelo-client';
import { entryUrl, queryEntry, type TransportOptions } from '../../client/src/transport';
import { freePorts } from '../../game-server/free-ports';

const OPTIONS: TransportOptions = { connectTimeoutMs: 5000, requestTimeoutMs: 5000, transports: ['websocket'] };
/** For the gate that never answers: the test waits this long (connect + request). */
const IMPATIENT: TransportOptions = { ...OPTIONS, connectTimeoutMs: 100, requestTimeoutMs: 100 };

describe('the client library asking the gate', () => {
  const servers: Server[] = [];
  const serve = async (listener: RequestListener): Promise<string> => {
    const server = createServer(listener);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const json =
    (status: number, body: object): RequestListener =>
    (_req, res) =>
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));

  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('asks GET /entry with the uid encoded, over https for a wss or https gate', () => {
    expect(entryUrl('http://127.0.0.1:3014', 'zoë &x').href).toBe('http://127.0.0.1:3014/entry?uid=zo%C3%AB+%26x');
    expect(entryUrl('ws://gate.example:3014', 'a').href).toBe('http://gate.example:3014/entry?uid=a');
    expect(entryUrl('wss://gate.example', 'a').href).toBe('https://gate.example/entry?uid=a');
    expect(entryUrl('https://gate.example:8443', 'a').href).toBe('https://gate.example:8443/entry?uid=a');
  });

  it('returns the connector URL in the gate URL’s scheme, an IPv6 host in brackets', async () => {
    const gate = await serve(json(200, { code: 200, host: '::1', port: 3050 }));
    await expect(queryEntry(gate, 'alice', OPTIONS)).resolves.toBe('http://[::1]:3050');
  });

  it('turns a refusal into its code and reason', async () => {
    const gate = await serve(json(503, { code: 503, error: 'no connector is up' }));
    const err = (await queryEntry(gate, 'alice', OPTIONS).catch((e: unknown) => e)) as ChatClientError;
    expect(err).toBeInstanceOf(ChatClientError);
    expect({ code: err.code, reason: err.reason }).toEqual({ code: 503, reason: 'no connector is up' });
  });

  it('says what went wrong when the gate is unreachable, is not a gate, or does not answer in time', async () => {
    const [closed] = await freePorts(1);
    await expect(queryEntry(`http://127.0.0.1:${closed}`, 'alice', OPTIONS)).rejects.toThrow(
      new RegExp(`^cannot reach the gate at http://127\\.0\\.0\\.1:${closed}: `),
    );
    const notAGate = await serve((_req, res) => res.writeHead(404).end());
    await expect(queryEntry(notAGate, 'alice', OPTIONS)).rejects.toMatchObject({
      message: `${notAGate} answered HTTP 404 to GET /entry, not a gate's answer`,
      code: 404,
    });
    const silent = await serve(() => undefined);
    await expect(queryEntry(silent, 'alice', IMPATIENT)).rejects.toThrow('the gate did not answer within 200 ms');
  });
});
