/**
 * The web server's HTTP API under /api: `POST /api/token` (development sign-in, AUTH_DEV_LOGIN=1),
 * and the server API for the operator's programs and the admin page (`Authorization: Bearer <API_KEY>`;
 * without API_KEY it answers 404): publish into a room, read a room, kick, and the cluster view.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { askStatus } from '../../game-server/admin/admin-client';
import type { ServerMap } from '../../game-server/config/server-info';
import { AppError } from '../../game-server/errors';
import type { Logger } from '../../game-server/logger';
import { issueToken } from '../../app/auth/tokens';
import {
  Remotes,
  type ClusterView,
  type ModerationResult,
  type RoomInfo,
  type RoomView,
  type SendResult,
  type ServerView,
  type TokenResponse,
} from '../../app/protocol';
import type { RoomStat } from '../../app/servers/chat/chat-stats';
import { parseRequest, type RequestSchemas } from '../../app/validation';
import { ApiKeyCheck } from './api-key';
import type { ClusterRpc } from './cluster-rpc';
import type { RpcTls } from '../../game-server/rpc/rpc-tls';
import { HttpError, readJsonObject, sendError, sendJson } from './http-json';

export interface ApiOptions {
  schemas: RequestSchemas;
  /** AUTH_SECRET: tokens are signed with it; unset, there is nothing to sign and /api/token is 404. */
  authSecret?: string;
  /** AUTH_DEV_LOGIN: issue a token for any name. */
  devLogin: boolean;
  tokenTtlSeconds: number;
  /** API_KEY; unset, the server API is 404. */
  apiKey?: string;
  rpc: ClusterRpc;
  servers: () => ServerMap;
  /** RPC_SECRET, for the status of every server (the cluster view). */
  rpcSecret: string;
  /** RPC_TLS_*, for the same. */
  rpcTls?: RpcTls;
  log: Logger;
}

/** The senders the API publishes as when the request names none. */
const DEFAULT_FROM = 'system';
/** How long each server gets to answer for the cluster view. */
const STATUS_TIMEOUT_MS = 700;

type Route = (req: IncomingMessage, res: ServerResponse, rid: string) => Promise<void>;

/** Handles every request under /api/. */
export function createApi(options: ApiOptions): (req: IncomingMessage, res: ServerResponse, pathname: string) => void {
  const { schemas, rpc } = options;
  const keyCheck = options.apiKey !== undefined ? new ApiKeyCheck(options.apiKey) : undefined;

  const roomRid = (encoded: string): string => {
    let rid: string;
    try {
      rid = decodeURIComponent(encoded);
    } catch {
      throw new HttpError(400, 'the room id in the path is not valid');
    }
    return parseRequest(schemas.history.pick({ rid: true }), { rid }).rid;
  };

  const token: Route = async (req, res) => {
    // Open only where it is meant to be: development, with a secret to sign with.
    if (!options.devLogin || options.authSecret === undefined) throw new HttpError(404, 'not found');
    const { username } = parseRequest(schemas.token, await readJsonObject(req));
    const issued: TokenResponse = await issueToken(options.authSecret, username, options.tokenTtlSeconds);
    sendJson(res, 200, issued);
  };

  const publish: Route = async (req, res, rid) => {
    const { content, from = DEFAULT_FROM } = parseRequest(schemas.publish, await readJsonObject(req));
    const result: SendResult = await rpc.remote(rpc.roomServer(rid), Remotes.chat).publish(rid, from, content);
    options.log.info({ rid, from, seq: result.seq }, 'server API published a message');
    sendJson(res, 200, result);
  };

  const room: Route = async (_req, res, rid) => {
    const info: RoomInfo = await rpc.remote(rpc.roomServer(rid), Remotes.chat).roomInfo(rid);
    sendJson(res, 200, info);
  };

  const kick: Route = async (req, res, rid) => {
    const { username, reason } = parseRequest(schemas.kick, await readJsonObject(req));
    const action = { verb: 'kick' as const, rid, username, ...(reason !== undefined && { reason }) };
    const result: ModerationResult = await rpc.remote(rpc.roomServer(rid), Remotes.moderation).moderate(action);
    options.log.info({ rid, username }, 'server API kicked a user');
    sendJson(res, 200, result);
  };

  const cluster: Route = async (_req, res) => {
    sendJson(res, 200, await clusterView(options));
  };

  const dispatchRoute = async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    const method = req.method ?? 'GET';
    if (pathname === '/api/token') return only(method, 'POST', () => token(req, res, ''));
    // The server API: 404 when it is off (nothing tells a stranger it exists), 401 without the key.
    const segments = pathname.split('/').slice(2);
    const known = pathname === '/api/cluster' || (segments[0] === 'rooms' && segments.length >= 2 && segments.length <= 3);
    if (!known || !keyCheck) throw new HttpError(404, 'not found');
    keyCheck.check(req);
    if (pathname === '/api/cluster') return only(method, 'GET', () => cluster(req, res, ''));
    const rid = roomRid(segments[1]!);
    switch (segments[2]) {
      case undefined:
        return only(method, 'GET', () => room(req, res, rid));
      case 'messages':
        return only(method, 'POST', () => publish(req, res, rid));
      case 'kick':
        return only(method, 'POST', () => kick(req, res, rid));
      default:
        throw new HttpError(404, 'not found');
    }
  };

  return (req, res, pathname) => {
    dispatchRoute(req, res, pathname).catch((err: unknown) => {
      if (err instanceof HttpError) return sendError(res, err.status, err.message, err.headers);
      // The cluster's own codes keep their HTTP meaning (400, 403, 404, 409, 503).
      if (err instanceof AppError) return sendError(res, err.code, err.message);
      options.log.error({ err, path: pathname }, 'API request failed');
      sendError(res, 500, 'internal server error');
    });
  };
}

async function only(method: string, allowed: string, run: () => Promise<void>): Promise<void> {
  if (method !== allowed) throw new HttpError(405, `use ${allowed}`, { Allow: allowed });
  await run();
}

/** Every server's state and counters, and every room with its members, asked all at once. */
async function clusterView(options: ApiOptions): Promise<ClusterView> {
  const servers = [...options.servers().values()].flat();
  const at = Date.now();
  const answers = await Promise.all(
    servers.map((server) =>
      askStatus(
        server,
        { details: true },
        { secret: options.rpcSecret, tls: options.rpcTls, timeoutMs: STATUS_TIMEOUT_MS, name: 'admin-page', servers },
      ),
    ),
  );
  const views: ServerView[] = [];
  const rooms: RoomView[] = [];
  for (const answer of answers) {
    const { id, serverType: type } = answer.server;
    if (!answer.ok) {
      views.push({ id, type, state: answer.reached ? 'error' : 'down', error: answer.error });
      continue;
    }
    const status = answer.value;
    const number = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
    const messages = type === 'chat' ? number(status.messages) : number(status.requests);
    views.push({
      id,
      type,
      state: 'up',
      pid: status.pid,
      uptimeSeconds: status.uptimeSeconds,
      ...(status.connections !== undefined && { connections: status.connections }),
      ...(number(status.rooms) !== undefined && { rooms: number(status.rooms) }),
      ...(number(status.members) !== undefined && { members: number(status.members) }),
      ...(messages !== undefined && { messages }),
    });
    if (Array.isArray(status.roomList)) {
      for (const { rid, users } of status.roomList as RoomStat[]) rooms.push({ rid, server: id, users: users ?? [] });
    }
  }
  rooms.sort((a, b) => a.rid.localeCompare(b.rid));
  return { at, servers: views, rooms };
}
