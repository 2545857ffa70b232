import { AppError, Code, type Application, type Handler } from '../../../../game-server';
import type { QueryEntryResult } from '../../../protocol';
import { dispatch } from '../../../util/dispatcher';
import { parseRequest, type RequestSchemas } from '../../../validation';

/** `gate.gateHandler.queryEntry`: the user's connector, `connectors[abs(crc32(uid)) % N]`. */
export function createGateHandler(app: Application, schemas: RequestSchemas): Record<string, Handler> {
  return {
    async queryEntry(body): Promise<QueryEntryResult> {
      const { uid } = parseRequest(schemas.queryEntry, body);
      const connectors = app.getServersByType('connector');
      if (connectors.length === 0) throw new AppError(Code.UNAVAILABLE, 'no connector is available');
      const connector = dispatch(uid, connectors);
      return { host: connector.host, port: connector.clientPort ?? connector.port };
    },
  };
}
