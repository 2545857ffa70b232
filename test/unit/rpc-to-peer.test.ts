import { Application } from '../../game-server/application';
import type { ServerInfo } from '../../game-server/config/server-info';
import { AppError, Code } from '../../game-server/errors';
import { freePorts } from '../../game-server/free-ports';
import { createLogger } from '../../game-server/logger';
import { RpcServer } from '../../game-server/rpc/rpc-server';
import { DEFAULT_RPC_SECRET, loadRuntimeSettings } from '../../game-server/settings';
import { Remotes } from '../../app/protocol';

// A real link on loopback to a peer that never answers: the unit is the per-call timeout of app.rpc(...).toPeer.
const log = createLogger('rpc-to-peer-test', 'silent');

describe('app.rpc(token).toPeer(server, { timeoutMs })', () => {
  let peer: RpcServer;
  let app: Application;
  let silent: ServerInfo;

  beforeEach(async () => {
    const [port] = await freePorts(1);
    silent = { id: 'chat-server-2', serverType: 'chat', host: '127.0.0.1', port: port! };
    const never = new Promise<never>(() => undefined);
    peer = new RpcServer({
      host: silent.host,
      port: port!,
      secret: DEFAULT_RPC_SECRET,
      log,
      dispatcher: { call: () => never, forward: () => never, push: () => undefined },
    });
    await peer.start();
    const self: ServerInfo = { id: 'chat-server-1', serverType: 'chat', host: '127.0.0.1' };
    // RPC_TIMEOUT_MS is a minute: only the call's own timeout can end it within the test.
    app = new Application(self, new Map([['chat', [self]]]), loadRuntimeSettings({ RPC_TIMEOUT_MS: '60000' }), log);
  });

  afterEach(async () => {
    app.rpcClient.close();
    await peer.stop();
  });

  it('gives up after its own timeout with 503, on a server that is not (or no longer) in the list', async () => {
    const started = Date.now();
    const call = app.rpc(Remotes.chat).toPeer(silent, { timeoutMs: 200 }).takeRoom('lobby');
    await expect(call).rejects.toBeInstanceOf(AppError);
    await expect(call).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
