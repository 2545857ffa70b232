import type { ServerInfo } from '../../game-server/config/server-info';
import { AppError } from '../../game-server/errors';
import { createLogger } from '../../game-server/logger';
import { freePorts } from '../../game-server/free-ports';
import { RpcClient } from '../../game-server/rpc/rpc-client';
import type { RemoteCall, RpcReply } from '../../game-server/rpc/rpc-messages';
import { RpcServer } from '../../game-server/rpc/rpc-server';

// Links on loopback inside this test process: the unit is a call going back down a link a peer opened.
const SECRET = 'unit-secret';
const log = createLogger('rpc-peer-call-test', 'silent');
const status: RemoteCall = { service: '__system', method: 'status', args: [] };
const noDispatch = {
  call: () => Promise.reject(new Error('not in this test')),
  forward: () => Promise.reject(new Error('not in this test')),
  push: () => undefined,
};

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('calls to a peer without an internal port, over the link it opened', () => {
  const clients: RpcClient[] = [];
  let server: RpcServer;
  let chat: ServerInfo;

  beforeEach(async () => {
    const [port] = await freePorts(1);
    chat = { id: 'chat-1', serverType: 'chat', host: '127.0.0.1', port: port! };
    server = new RpcServer({ host: chat.host, port: port!, secret: SECRET, log, dispatcher: noDispatch });
    await server.start();
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.stop();
  });

  async function linkedGate(answer?: (call: RemoteCall) => Promise<RpcReply>): Promise<RpcClient> {
    const gate = new RpcClient({ selfId: 'gate-1', secret: SECRET, timeoutMs: 1000, log, ...(answer && { answer }) });
    clients.push(gate);
    const link = gate.connect(chat);
    // The server has the link by then: it takes a peer in before it lets the peer know it is connected.
    await new Promise((resolve) => link.once('connect', () => resolve(undefined)));
    return gate;
  }

  it("reach the peer's answer and bring its reply back", async () => {
    const calls: RemoteCall[] = [];
    await linkedGate(async (call) => {
      calls.push(call);
      return { ok: true, value: { pid: 42 } };
    });
    await expect(server.callPeer('gate-1', status, 1000)).resolves.toEqual({ pid: 42 });
    expect(calls).toEqual([status]);
  });

  it("carry the peer's refusal back as an AppError with its code", async () => {
    await linkedGate(async () => ({ ok: false, code: 403, error: 'only __system calls come this way' }));
    expect(await rejection(server.callPeer('gate-1', { ...status, service: 'chatRemote' }, 1000))).toMatchObject({
      code: 403,
      message: 'only __system calls come this way',
    });
  });

  it('are refused (403) by a peer that answers no calls on its links', async () => {
    await linkedGate();
    expect((await rejection(server.callPeer('gate-1', status, 1000))).code).toBe(403);
  });

  it('fail with 404 for a peer that has no link here, and 503 for one that does not answer in time', async () => {
    expect(await rejection(server.callPeer('gate-9', status, 1000))).toMatchObject({
      code: 404,
      message: 'gate-9 has no link to this server',
    });
    await linkedGate(() => new Promise<RpcReply>(() => undefined));
    expect(await rejection(server.callPeer('gate-1', status, 200))).toMatchObject({
      code: 503,
      message: 'gate-1 did not answer within 200 ms',
    });
  });

  it('are the only way to it: no link opens to a server without a port, a push to it is dropped', async () => {
    const chatClient = new RpcClient({ selfId: 'chat-1', secret: SECRET, timeoutMs: 1000, log });
    clients.push(chatClient);
    const gate: ServerInfo = { id: 'gate-1', serverType: 'gate', host: '127.0.0.1', clientPort: 3014, frontend: true };
    expect(() => chatClient.connect(gate)).toThrow('gate server gate-1 has no internal port');
    expect(chatClient.push(gate, { route: 'onChat', msg: {} })).toBe(false);
    expect((await rejection(chatClient.call(gate, status))).code).toBe(503);
  });
});
