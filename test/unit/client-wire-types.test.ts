/**
 * The client's wire types are defined once, in the client library (client/src/protocol.ts), and
 * app/protocol.ts re-exports them: the servers and the library speak the very same contract. Were a
 * copy to come back on either side, these would fail (a copy's constants are other objects).
 */
import * as library from 'chatofpomelo-client';
import * as client from '../../client/src/protocol';
import * as server from '../../app/protocol';

/** Compiles only when A and B are assignable to each other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <A, B>(proof: Same<A, B>): Same<A, B> => proof;

describe('the client wire types', () => {
  it('are one set of objects: the servers re-export the library’s', () => {
    expect(server.Route).toBe(client.Route);
    expect(server.Push).toBe(client.Push);
    expect(server.EVERYONE).toBe(client.EVERYONE);
    expect(server.TOKEN_EXPIRED).toBe(client.TOKEN_EXPIRED);
    expect(library.Route).toBe(client.Route);
    expect(library.Push).toBe(client.Push);
  });

  it('type the requests, replies and pushes the same for the servers and the library', () => {
    const checks: true[] = [
      same<library.ClientToServerEvents, server.ClientToServerEvents>(true),
      same<library.ServerToClientEvents, server.ServerToClientEvents>(true),
      same<library.EnterResult, server.EnterResult>(true),
      same<library.Reply<library.SendResult>, server.Reply<server.SendResult>>(true),
      // The library's events carry the pushes as they are (a delivered message adds its log's epoch).
      same<library.TypingEvent, server.TypingEvent>(true),
      same<library.ReadEvent, server.ReadEvent>(true),
      same<library.UserInRoomEvent, server.UserEvent>(true),
      same<Omit<library.RoomMessage, 'epoch'>, server.RoomMessage>(true),
    ];
    expect(checks.every(Boolean)).toBe(true);
  });
});
