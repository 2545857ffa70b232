import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { ENTRY_PATH, type QueryEntryResult } from '../../app/protocol';
import { Code, toErrorResponse } from '../../game-server/errors';

/**
 * A bench target's `GET /entry?uid=`, the gate's plain-HTTP queryEntry (docs/PROTOCOL.md), so that every
 * target meets the load generator's enters alike: `{ code: 200, ...entry() }`, or `{ code, error }` when
 * `check(uid)` throws, with the code as the status; any other path is 404.
 */
export function entryRoute(entry: () => QueryEntryResult, check?: (uid: string | undefined) => void): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = URL.parse(req.url ?? '/', 'http://x');
    if (url?.pathname !== ENTRY_PATH) {
      res.writeHead(404).end();
      return;
    }
    let reply: object & { code: number };
    try {
      check?.(url.searchParams.get('uid') ?? undefined);
      reply = { ...entry(), code: Code.OK };
    } catch (err) {
      reply = toErrorResponse(err);
    }
    res
      .writeHead(reply.code, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' })
      .end(JSON.stringify(reply));
  };
}
