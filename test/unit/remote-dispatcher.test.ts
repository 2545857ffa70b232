import { SYSTEM_REMOTE } from '../../game-server/admin/admin-messages';
import { AppError, Code } from '../../game-server/errors';
import { createLogger } from '../../game-server/logger';
import { RemoteDispatcher } from '../../game-server/remote-dispatcher';

function dispatcher(): { remotes: RemoteDispatcher; errors: number[] } {
  const errors: number[] = [];
  const remotes = new RemoteDispatcher(createLogger('test', 'silent'), { error: (code) => errors.push(code) });
  remotes.register('chatRemote', {
    add: async (a: number, b: number) => a + b,
    refuse: async () => {
      throw new AppError(Code.CONFLICT, 'taken');
    },
  });
  remotes.register(SYSTEM_REMOTE, { status: async () => ({ id: 'chat-server-1' }) });
  return { remotes, errors };
}

describe('a remote dispatcher', () => {
  it('runs a call with its arguments and answers its value, or its error as a code', async () => {
    const { remotes, errors } = dispatcher();
    expect(await remotes.run({ service: 'chatRemote', method: 'add', args: [2, 3] })).toEqual({ ok: true, value: 5 });
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
});
