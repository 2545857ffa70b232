import CRC32 from 'crc-32';
import { chatRoute } from '../../app/routes/chat-route';
import { defaultRoute } from '../../game-server/router/router';
import { AppError } from '../../game-server/errors';
import type { ServerInfo } from '../../game-server/config/server-info';
import type { Session } from '../../game-server/frontend/session';
import { Application } from '../../game-server/application';
import { createLogger } from '../../game-server/logger';
import { loadRuntimeSettings } from '../../game-server/settings';

const chats: ServerInfo[] = [1, 2, 3].map((i) => ({ id: `chat-server-${i}`, serverType: 'chat', host: '127.0.0.1', port: 6049 + i }));
const session = (uid: string | null, settings: Record<string, unknown>): Session => ({
  id: 'sid',
  uid,
  frontendId: 'connector-server-1',
  settings,
});

describe('chat route', () => {
  it('sends a room to chats[abs(crc32(rid)) % N]', () => {
    for (const rid of ['lobby', 'room-1', 'room-2', 'ünïcode']) {
      expect(chatRoute(session(`a*${rid}`, { rid }), chats)).toBe(chats[Math.abs(CRC32.str(rid)) % 3]);
    }
  });

  it('refuses a session that has not entered a room with 403', () => {
    expect(() => chatRoute(session(null, {}), chats)).toThrow(AppError);
    try {
      chatRoute(session(null, {}), chats);
    } catch (err) {
      expect((err as AppError).code).toBe(403);
    }
  });
});

describe('default route', () => {
  it('sends a bound session to servers[abs(crc32(uid)) % N], an unbound one by its session id', () => {
    expect(defaultRoute(session('bob*lobby', {}), chats)).toBe(chats[Math.abs(CRC32.str('bob*lobby')) % 3]);
    expect(defaultRoute(session(null, {}), chats)).toBe(chats[Math.abs(CRC32.str('sid')) % 3]);
  });

  it('sends a single server everything', () => {
    expect(defaultRoute(session('anyone', {}), chats.slice(0, 1))).toBe(chats[0]);
  });
});

describe('Application.pickServer', () => {
  const servers = new Map([
    ['connector', [{ id: 'connector-server-1', serverType: 'connector', host: '127.0.0.1', port: 4050, clientPort: 3050, frontend: true }]],
    ['chat', chats],
    ['empty', []],
  ]);
  const app = new Application(servers.get('connector')![0]!, servers, loadRuntimeSettings({}), createLogger('t', 'silent'));

  it('uses the route set with app.route', () => {
    app.route('chat', (_s, list) => list[2]!);
    expect(app.pickServer('chat', session('u', {})).id).toBe('chat-server-3');
  });

  it('falls back to a default router that keeps one session on one server', () => {
    const first = app.pickServer('connector', session('bob*lobby', {}));
    expect(app.pickServer('connector', session('bob*lobby', {}))).toBe(first);
  });

  it('answers 503 when no server of the type is configured', () => {
    expect(() => app.pickServer('empty', session('u', {}))).toThrow(expect.objectContaining({ code: 503 }));
  });
});
