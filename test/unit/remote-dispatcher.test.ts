import { SYSTEM_REMOTE } from '../../game-server/admin/admin-messages';
import { Moved } from '../../game-server/contract/moved';
import type { RemoteContext } from '../../game-server/contract/remote-token';
import { AppError, Code } from '../../game-server/errors';
import { createLogger } from '../../game-server/logger';
import { RemoteDispatcher, type PassOn } from '../../game-server/remote-dispatcher';
import type { RemoteCall } from '../../game-server/rpc/rpc-messages';

function dispatcher(passOn: PassOn = () => Promise.reject(new Error('nothing to pass on'))): {
  remotes: RemoteDispatcher;
  errors: number[];
  contexts: RemoteContext[];
} {
  const errors: number[] = [];
  const contexts: RemoteContext[] = [];
  const remotes = new RemoteDispatcher(createLogger('test', 'silent'), { error: (code) => errors.push(code) }, passOn);
  remotes.register('chatRemote', {
    add: async (context: RemoteContext, a: number, b: number) => {
      contexts.push(context);
      return a + b;
    },
    refuse: async () => {
      throw new AppError(Code.CONFLICT, 'taken');
    },
    // The room lives on chat-server-2 unless the call was already passed on (then it is served here).
    roomInfo: async ({ redirected }: RemoteContext, rid: string) => {
      if (!redirected) throw new Moved('chat-server-2');
      return { rid, served: 'here' };
    },
    movedAgain: async () => {
      throw new Moved('chat-server-3');
    },
  });
  remotes.register(SYSTEM_REMOTE, { status: async () => ({ id: 'chat-server-1' }) });
  return { remotes, errors, contexts };
}

describe('a remote dispatcher', () => {
  it('runs a call with its context and arguments and answers its value, or its error as a code', async () => {
    const { remotes, errors, contexts } = dispatcher();
    expect(await remotes.run({ service: 'chatRemote', method: 'add', args: [2, 3] })).toEqual({ ok: true, value: 5 });
    expect(contexts).toEqual([{ redirected: false }]);
    expect(await remotes.run({ service: 'chatRemote', method: 'refuse', args: [] })).toEqual({ ok: false, code: 409, error: 'taken' });
    expect(await remotes.run({ service: 'chatRemote', method: 'constructor', args: [] })).toMatchObject({ ok: false, code: 404 });
    expect(errors).toEqual([409, 404]);
  });

  it('answers calls coming back down a link it opened only for the system remote', async () => {
    const { remotes } = dispatcher();
    expect(await remotes.answerPeer({ service: SYSTEM_REMOTE, method: 'status', args: [] })).toEqual({
      ok: true,
      value: { id: 'chat-server-1' },
    });
    expect(await remotes.answerPeer({ service: 'chatRemote', method: 'add', args: [1, 1] })).toMatchObject({ ok: false, code: 403 });
  });

  it('passes a call whose state moved on to that server once, marked redirected, and answers its reply', async () => {
    const passed: [string, RemoteCall][] = [];
    const { remotes } = dispatcher(async (serverId, call) => {
      passed.push([serverId, call]);
      return { rid: 'lobby', served: serverId };
    });
    expect(await remotes.run({ service: 'chatRemote', method: 'roomInfo', args: ['lobby'] })).toEqual({
      ok: true,
      value: { rid: 'lobby', served: 'chat-server-2' },
    });
    expect(passed).toEqual([['chat-server-2', { service: 'chatRemote', method: 'roomInfo', args: ['lobby'], redirected: true }]]);
  });

  it('serves a redirected call here, and answers 503 when it moved again rather than passing it on twice', async () => {
    const passOn = jest.fn<ReturnType<PassOn>, Parameters<PassOn>>();
    const { remotes, contexts } = dispatcher(passOn);
    expect(await remotes.run({ service: 'chatRemote', method: 'roomInfo', args: ['lobby'], redirected: true })).toEqual({
      ok: true,
      value: { rid: 'lobby', served: 'here' },
    });
    await remotes.run({ service: 'chatRemote', method: 'add', args: [1, 1], redirected: true });
    expect(contexts).toEqual([{ redirected: true }]);
    expect(await remotes.run({ service: 'chatRemote', method: 'movedAgain', args: [], redirected: true })).toEqual({
      ok: false,
      code: 503,
      error: 'what this call needs is moving; try again',
    });
    expect(passOn).not.toHaveBeenCalled();
  });

  it("answers the other server's error when the passed-on call fails there", async () => {
    const { remotes } = dispatcher(() =>
      Promise.reject(new AppError(Code.UNAVAILABLE, 'chat server chat-server-2 did not answer within 1000 ms')),
    );
    expect(await remotes.run({ service: 'chatRemote', method: 'roomInfo', args: ['lobby'] })).toEqual({
      ok: false,
      code: 503,
      error: 'chat server chat-server-2 did not answer within 1000 ms',
    });
  });
});
