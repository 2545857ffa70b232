/** A new connection of the soak's clients: the gate, the connector it names, `enter` into a room; every step counted. */
import { Route, type EnterResult } from '../../app/protocol';
import { connect, queryEntry, request, type ClientSocket } from '../chaos/client-socket';
import type { Tally } from './tally';

/** The socket, entered into `rid`; undefined (and nothing left open) when a step failed. `op` prefixes the tally's keys. */
export async function enterThroughGate(
  gate: { host: string; port: number },
  username: string,
  rid: string,
  tally: Tally,
  op: string,
): Promise<ClientSocket | undefined> {
  const entry = await tally.count(`${op}queryEntry`, () => queryEntry(gate, username));
  if (entry?.code !== 200) return undefined;
  let socket: ClientSocket;
  try {
    socket = await connect(entry.host, entry.port);
  } catch {
    tally.add(`${op}connect`, 'error');
    return undefined;
  }
  const entered = await tally.count(`${op}enter`, () => request<EnterResult>(socket, Route.enter, { username, rid }));
  if (entered?.code === 200) return socket;
  socket.disconnect();
  return undefined;
}
