/**
 * The client library ships a copy of the wire types (client/src/protocol.ts) so that it never loads the
 * server; this file holds the copy to app/protocol.ts both ways. A mismatch fails `npm run typecheck`
 * (and ts-jest) before any test runs; the runtime checks below cover the constants.
 */
import * as client from '../../client/src/protocol';
import * as server from '../../app/protocol';

/** Compiles only when A and B are assignable to each other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <A, B>(proof: Same<A, B>): Same<A, B> => proof;

describe('the client library wire types', () => {
  it('are the server contract: requests, replies and pushes, both ways', () => {
    const checks: true[] = [
      same<client.ClientToServerEvents, server.ClientToServerEvents>(true),
      same<client.ServerToClientEvents, server.ServerToClientEvents>(true),
      same<client.EnterRequest, server.EnterRequest>(true),
      same<client.EnterResult, server.EnterResult>(true),
      same<client.SendRequest, server.SendRequest>(true),
      same<client.SendResult, server.SendResult>(true),
      same<client.HistoryRequest, server.HistoryRequest>(true),
      same<client.HistoryResult, server.HistoryResult>(true),
      same<client.RefreshRequest, server.RefreshRequest>(true),
      same<client.RefreshResult, server.RefreshResult>(true),
      same<client.ChatMessage, server.ChatMessage>(true),
      same<client.KickEvent, server.KickEvent>(true),
      same<client.SeqEvent, server.SeqEvent>(true),
      same<client.TokenExpiringEvent, server.TokenExpiringEvent>(true),
      same<client.Reply<client.SendResult>, server.Reply<server.SendResult>>(true),
      same<client.ErrorCodeNumber, server.ErrorCodeNumber>(true),
    ];
    expect(checks.every(Boolean)).toBe(true);
  });

  it('has the same route names, push names and constants', () => {
    expect(client.Route).toEqual(server.Route);
    expect(client.Push).toEqual(server.Push);
    expect(client.EVERYONE).toBe(server.EVERYONE);
    expect(client.TOKEN_EXPIRED).toBe(server.TOKEN_EXPIRED);
  });
});
