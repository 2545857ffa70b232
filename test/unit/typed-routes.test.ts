import { Application } from '../../game-server/application';
import type { ServerInfo } from '../../game-server/config/server-info';
import type { Session } from '../../game-server/frontend/session';
import { createLogger } from '../../game-server/logger';
import { loadRuntimeSettings } from '../../game-server/settings';
import { Remotes, type SendResult } from '../../app/protocol';
import { clientRoutes } from '../../app/routes/client-routes';
import { loadChatSettings } from '../../app/settings';

const chat: ServerInfo = { id: 'chat-server-1', serverType: 'chat', host: '127.0.0.1' };
const member: Session = { id: 's1', uid: 'ann*lobby', frontendId: 'connector-server-1', settings: { rid: 'lobby', username: 'ann' } };
const context = { route: 'chat.chatHandler.send', redirected: false };

function chatApp(): { app: Application; routes: ReturnType<typeof clientRoutes> } {
  const app = new Application(chat, new Map([['chat', [chat]]]), loadRuntimeSettings({}), createLogger('t', 'silent'));
  return { app, routes: clientRoutes(app, loadChatSettings({})) };
}

describe('a route registered by its contract', () => {
  it('gets the request parsed and the member session checked, both typed', async () => {
    const { app, routes } = chatApp();
    const seen: string[] = [];
    app.handle(routes.send, async (request, session) => {
      seen.push(`${session.settings.username}@${session.settings.rid}: ${request.content} -> ${request.target}`);
      return { id: 1, seq: 1 };
    });
    const send = app.handlers.lookup('chatHandler', 'send');
    await expect(send({ content: 'hi', target: '*' }, member, context)).resolves.toEqual({ id: 1, seq: 1 });
    expect(seen).toEqual(['ann@lobby: hi -> *']);
  });

  it('answers 400 for a bad body and 403 for a session outside a room, before the handler runs', async () => {
    const { app, routes } = chatApp();
    const handler = jest.fn(async (): Promise<SendResult> => ({ id: 1, seq: 1 }));
    app.handle(routes.send, handler);
    const send = app.handlers.lookup('chatHandler', 'send');
    await expect(send({ content: 42, target: '*' }, member, context)).rejects.toMatchObject({
      code: 400,
      message: 'content must be a string',
    });
    const stranger: Session = { ...member, uid: null, settings: {} };
    await expect(send({ content: 'hi', target: '*' }, stranger, context)).rejects.toMatchObject({
      code: 403,
      message: 'enter a room first',
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it('is checked by the compiler against the reply type and the remote interface', () => {
    const { app, routes } = chatApp();
    // @ts-expect-error a send replies { id, seq }, not a string
    app.handle(routes.send, async () => 'sent');
    // @ts-expect-error the chat remote has more methods than takeRoom
    app.remote(Remotes.chat, { takeRoom: async () => null });
    expect(app.handlers.lookup('chatHandler', 'send')).toBeInstanceOf(Function);
  });
});
