import type { Application } from '../../../game-server';
import type { ChatSettings } from '../../settings';
import { requestSchemas } from '../../validation';
import { createGateHandler } from './handler/gate-handler';

/** The gate: tells each user which connector to use. */
export function configureGateServer(app: Application, settings: ChatSettings): void {
  app.keepLinks('connector');
  app.handler('gateHandler', createGateHandler(app, requestSchemas(settings)));
}
