import type { Application } from '../../../game-server';
import type { ChatRoutes } from '../../routes/client-routes';
import { handleGate } from './handler/gate-handler';

/** The gate: tells each user which connector to use. */
export function configureGateServer(app: Application, routes: ChatRoutes): void {
  app.keepLinks('connector');
  handleGate(app, routes);
}
