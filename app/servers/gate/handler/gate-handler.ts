import { AppError, Code, type Application, type Handler } from '../../../../game-server';
import type { QueryEntryResult } from '../../../protocol';
import { dispatch } from '../../../util/dispatcher';
import { parseRequest, type RequestSchemas } from '../../../validation';

/**
 * `gate.gateHandler.queryEntry`: the user's connector, `connectors[abs(crc32(uid)) % N]`; when that
 * one is down, the next live one in list order (so a crashed connector's users get in at once).
 */
export function createGateHandler(app: Application, schemas: RequestSchemas): Record<string, Handler> {
  return {
    async queryEntry(body): Promise<QueryEntryResult> {
      const { uid } = parseRequest(schemas.queryEntry, body);
      const connectors = app.getServersByType('connector');
      if (connectors.length === 0) throw new AppError(Code.UNAVAILABLE, 'no connector is available');
      const first = connectors.indexOf(dispatch(uid, connectors));
      for (let step = 0; step < connectors.length; step++) {
        const connector = connectors[(first + step) % connectors.length]!;
        if (connector.clientPort !== undefined && app.isServerUp(connector.id)) return { host: connector.host, port: connector.clientPort };
      }
      throw new AppError(Code.UNAVAILABLE, 'no connector is up');
    },
  };
}
