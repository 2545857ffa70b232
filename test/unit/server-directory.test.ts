import type { ServerInfo, ServerMap } from '../../game-server/config/server-info';
import { ServerDirectory } from '../../game-server/server-directory';

const chat = (n: number): ServerInfo => ({ id: `chat-server-${n}`, serverType: 'chat', host: '127.0.0.1', port: 6050 + n });
const connector: ServerInfo = { id: 'connector-server-1', serverType: 'connector', host: '127.0.0.1', port: 4050, frontend: true };
const list = (...chats: ServerInfo[]): ServerMap =>
  new Map([
    ['connector', [connector]],
    ['chat', chats],
  ]);

describe('a server directory', () => {
  it('finds servers by type and id, and knows which are up from its links', () => {
    const down = new Set(['chat-server-2']);
    const directory = new ServerDirectory(
      list(chat(1), chat(2)),
      () => list(),
      (id) => !down.has(id),
    );
    expect(directory.byType('chat').map((s) => s.id)).toEqual(['chat-server-1', 'chat-server-2']);
    expect(directory.byType('gate')).toEqual([]);
    expect(directory.hasType('chat')).toBe(true);
    expect(directory.hasType('gate')).toBe(false);
    expect(directory.byId('connector-server-1')).toBe(connector);
    expect(directory.byId('nope')).toBeUndefined();
    expect(directory.all()).toHaveLength(3);
    expect(directory.isUp('chat-server-1')).toBe(true);
    expect(directory.isUp('chat-server-2')).toBe(false);
  });

  it('switches to the reloaded list, tells its listeners in order and waits for them, and keeps removed servers as ever seen', async () => {
    const lists = [list(chat(2), chat(3))];
    const directory = new ServerDirectory(
      list(chat(1), chat(2)),
      () => lists.shift()!,
      () => true,
    );
    const calls: string[] = [];
    directory.onChanged(async (previous, current, change) => {
      await new Promise((resolve) => setImmediate(resolve));
      calls.push(`first ${previous.get('chat')!.length}->${current.get('chat')!.length} +${change.added.join()} -${change.removed.join()}`);
    });
    directory.onChanged(() => {
      calls.push(
        `second sees ${directory
          .byType('chat')
          .map((s) => s.id)
          .join()}`,
      );
    });
    expect(await directory.reload()).toEqual({ added: ['chat-server-3'], removed: ['chat-server-1'] });
    expect(calls).toEqual(['first 2->2 +chat-server-3 -chat-server-1', 'second sees chat-server-2,chat-server-3']);
    expect(directory.byId('chat-server-1')).toBeUndefined();
    expect(directory.everSeenOfType('chat').map((s) => s.id)).toEqual(['chat-server-1', 'chat-server-2', 'chat-server-3']);
  });

  it('changes nothing when the list does not load', async () => {
    const directory = new ServerDirectory(
      list(chat(1)),
      () => {
        throw new Error('bad file');
      },
      () => true,
    );
    const listener = jest.fn();
    directory.onChanged(listener);
    await expect(directory.reload()).rejects.toThrow('bad file');
    expect(directory.byType('chat').map((s) => s.id)).toEqual(['chat-server-1']);
    expect(listener).not.toHaveBeenCalled();
  });
});
