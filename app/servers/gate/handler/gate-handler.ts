import { AppError, Code, clientAddress, dispatch, type Application, type ClientAddress } from '../../../../game-server';
import { ENTRY_PATH } from '../../../protocol';
import type { ChatRoutes } from '../../../routes/client-routes';

/**
 * The user's connector, `connectors[abs(crc32(uid)) % N]`; when that one is down, the next live one in
 * list order (so a crashed connector's users get in at once). The address answered is the one clients
 * use: the connector's publicUrl behind a reverse proxy.
 */
function entryFor(app: Application, uid: string): ClientAddress {
  const connectors = app.getServersByType('connector');
  if (connectors.length === 0) throw new AppError(Code.UNAVAILABLE, 'no connector is available');
  const first = connectors.indexOf(dispatch(uid, connectors));
  for (let step = 0; step < connectors.length; step++) {
    const connector = connectors[(first + step) % connectors.length]!;
    if (connector.clientPort !== undefined && app.isServerUp(connector.id)) return clientAddress(connector);
  }
  throw new AppError(Code.UNAVAILABLE, 'no connector is up');
}

/**
 * The gate's answer, two ways: `gate.gateHandler.queryEntry` over socket.io, and `GET /entry?uid=` over
 * plain HTTP (one request, no handshake), both parsed by the route's schema.
 */
export function handleGate(app: Application, routes: ChatRoutes): void {
  app.handle(routes.queryEntry, async ({ uid }) => entryFor(app, uid));
  app.serveGet(ENTRY_PATH, (query) => entryFor(app, routes.queryEntry.parse({ uid: query.get('uid') ?? undefined }).uid));
}
