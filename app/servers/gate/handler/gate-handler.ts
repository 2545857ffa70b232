import { AppError, Code, clientAddress, dispatch, type Application } from '../../../../game-server';
import type { ChatRoutes } from '../../../routes/client-routes';

/**
 * `gate.gateHandler.queryEntry`: the user's connector, `connectors[abs(crc32(uid)) % N]`; when that
 * one is down, the next live one in list order (so a crashed connector's users get in at once). The
 * address answered is the one clients use: the connector's publicUrl behind a reverse proxy.
 */
export function handleGate(app: Application, routes: ChatRoutes): void {
  app.handle(routes.queryEntry, async ({ uid }) => {
    const connectors = app.getServersByType('connector');
    if (connectors.length === 0) throw new AppError(Code.UNAVAILABLE, 'no connector is available');
    const first = connectors.indexOf(dispatch(uid, connectors));
    for (let step = 0; step < connectors.length; step++) {
      const connector = connectors[(first + step) % connectors.length]!;
      if (connector.clientPort !== undefined && app.isServerUp(connector.id)) return clientAddress(connector);
    }
    throw new AppError(Code.UNAVAILABLE, 'no connector is up');
  });
}
