import type { Socket } from 'socket.io';
import { FrontendSession, channelRoom } from '../../game-server/frontend/frontend-session';
import { sessionFromSnapshot } from '../../game-server/frontend/session';
import { SessionService } from '../../game-server/frontend/session-service';
import { sessionSnapshot } from '../../game-server/pipeline/session-snapshot';

interface ChatLike {
  rid: string;
  username: string;
}

/** The part of a socket.io socket a session uses: its id and its rooms. */
class FakeSocket {
  readonly rooms = new Set<string>();
  constructor(readonly id: string) {}
  join(room: string): void {
    this.rooms.add(room);
  }
  leave(room: string): void {
    this.rooms.delete(room);
  }
}

const socket = (id: string): Socket => new FakeSocket(id) as unknown as Socket;
const roomsOf = (session: FrontendSession<ChatLike>): Set<string> => (session.socket as unknown as FakeSocket).rooms;

const service = () => new SessionService<ChatLike>('connector-1');

describe('SessionService', () => {
  it('knows a session by socket id from creation, and by uid once bound', () => {
    const sessions = service();
    const session = sessions.create(socket('s1'));
    expect(session).toMatchObject({ id: 's1', uid: null, frontendId: 'connector-1' });
    expect(sessions.get('s1')).toBe(session);
    expect(sessions.connectionCount).toBe(1);
    expect(sessions.boundCount).toBe(0);

    session.bind('ann*lobby');
    expect([...sessions.sessionsOf('ann*lobby')]).toEqual([session]);
    expect(sessions.boundCount).toBe(1);
  });

  it('lets one session hold many uids and one uid be held by up to its limit of sessions', () => {
    const sessions = service();
    const first = sessions.create(socket('s1'));
    const second = sessions.create(socket('s2'));
    const third = sessions.create(socket('s3'));
    first.bind('ann*lobby', 2);
    first.claim('ann*games', 2);
    second.bind('ann*lobby', 2);
    expect(() => third.bind('ann*lobby', 2)).toThrow(expect.objectContaining({ code: 409 }));
    expect([...first.uids]).toEqual(['ann*lobby', 'ann*games']);
    expect([...sessions.sessionsOf('ann*lobby')]).toEqual([first, second]);
    expect(sessions.boundCount).toBe(2);

    first.release('ann*games');
    expect(sessions.sessionsOf('ann*games').size).toBe(0);
    sessions.close(first);
    expect([...sessions.sessionsOf('ann*lobby')]).toEqual([second]);
  });

  it('answers 403 for a session id it does not hold (the connection closed)', () => {
    const sessions = service();
    expect(() => sessions.get('gone')).toThrow(expect.objectContaining({ code: 403, message: 'this connection is closed' }));
  });

  it('refuses a second session for a uid with 409, and lets the uid go once its session closes', () => {
    const sessions = service();
    const first = sessions.create(socket('s1'));
    const second = sessions.create(socket('s2'));
    first.bind('ann*lobby');
    expect(() => second.bind('ann*lobby')).toThrow(expect.objectContaining({ code: 409, message: 'this user is already connected' }));
    expect(second.uid).toBeNull();

    sessions.close(first);
    expect(sessions.sessionsOf('ann*lobby').size).toBe(0);
    second.bind('ann*lobby');
    expect([...sessions.sessionsOf('ann*lobby')]).toEqual([second]);
  });

  it('tells every closed-listener once per closed session, and drain waits for their work', async () => {
    const sessions = service();
    const seen: string[] = [];
    let finish!: () => void;
    const slow = new Promise<void>((resolve) => (finish = resolve));
    sessions.onClosed(async (s) => {
      await slow;
      seen.push(`slow ${s.id}`);
    });
    sessions.onClosed((s) => void seen.push(`fast ${s.id}`));
    const session = sessions.create(socket('s1'));
    session.bind('ann*lobby');

    sessions.close(session);
    sessions.close(session);
    expect(() => sessions.get('s1')).toThrow(expect.objectContaining({ code: 403 }));
    expect(sessions.connectionCount).toBe(0);
    expect(sessions.boundCount).toBe(0);

    let drained = false;
    const draining = sessions.drain().then(() => (drained = true));
    await Promise.resolve();
    expect(seen).toEqual(['fast s1']);
    expect(drained).toBe(false);
    finish();
    await draining;
    expect(seen).toEqual(['fast s1', 'slow s1']);
  });

  it('keeps draining when a closed-listener throws', async () => {
    const sessions = service();
    sessions.onClosed(() => {
      throw new Error('boom');
    });
    sessions.onClosed(async () => Promise.reject(new Error('async boom')));
    sessions.close(sessions.create(socket('s1')));
    await expect(sessions.drain()).resolves.toBeUndefined();
  });

  it('closing or releasing a session does not free a uid another session now holds', () => {
    const sessions = service();
    const first = sessions.create(socket('s1'));
    const second = sessions.create(socket('s2'));
    first.bind('ann*lobby');
    sessions.release('ann*lobby', first);
    second.bind('ann*lobby');
    expect(first.uid).toBe('ann*lobby');

    sessions.close(first);
    sessions.release('ann*lobby', first);
    expect([...sessions.sessionsOf('ann*lobby')]).toEqual([second]);
  });
});

describe('FrontendSession', () => {
  it('binds once: a second bind answers 403 and keeps the first uid', () => {
    const session = service().create(socket('s1'));
    session.bind('ann*lobby');
    expect(() => session.bind('bob*lobby')).toThrow(expect.objectContaining({ code: 403, message: 'this connection has already entered' }));
    expect(session.uid).toBe('ann*lobby');
  });

  it('unbind frees the uid and forgets the settings set since, so an enter can be tried again', () => {
    const sessions = service();
    const session = sessions.create(socket('s1'));
    session.bind('ann*lobby');
    session.set('rid', 'lobby');
    session.unbind();
    expect(session.uid).toBeNull();
    expect(session.settings).toEqual({});
    expect(sessions.sessionsOf('ann*lobby').size).toBe(0);
    session.unbind();
    session.bind('ann*other');
    expect(session.uid).toBe('ann*other');
  });

  it('snapshots a copy: later settings do not change a snapshot already taken', () => {
    const session = service().create(socket('s1'));
    session.bind('ann*lobby');
    session.set('rid', 'lobby');
    const snapshot = sessionSnapshot(session);
    session.set('rid', 'elsewhere');
    expect(snapshot).toEqual({ id: 's1', uid: 'ann*lobby', frontendId: 'connector-1', settings: { rid: 'lobby' } });
  });

  it('joins and leaves channels as prefixed socket.io rooms, apart from socket ids', () => {
    const session = service().create(socket('s1'));
    session.join('lobby');
    expect(roomsOf(session)).toEqual(new Set([channelRoom('lobby')]));
    expect(channelRoom('lobby')).not.toBe('lobby');
    session.leave('lobby');
    expect(roomsOf(session).size).toBe(0);
  });
});

describe('sessionFromSnapshot', () => {
  it('gives a backend the same id, uid, frontend and settings the frontend had', () => {
    const session = service().create(socket('s1'));
    session.bind('ann*lobby');
    session.set('username', 'ann');
    const copy = sessionFromSnapshot<ChatLike>(sessionSnapshot(session));
    expect(copy).toEqual({ id: 's1', uid: 'ann*lobby', frontendId: 'connector-1', settings: { username: 'ann' } });
  });

  it('keeps an unbound session unbound', () => {
    expect(sessionFromSnapshot({ id: 's9', uid: null, frontendId: 'c', settings: {} }).uid).toBeNull();
  });
});
