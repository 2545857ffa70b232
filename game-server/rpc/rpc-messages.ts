/** Every frame on the internal links between servers. Client-facing messages live in app/protocol.ts. */
import type { ErrorCode } from '../errors';

/** What a backend handler sees of the client's session; `settings` are the frontend's `session.set` values. */
export interface SessionSnapshot {
  id: string;
  uid: string | null;
  frontendId: string;
  settings: Record<string, unknown>;
}

export interface RemoteCall {
  service: string;
  method: string;
  args: unknown[];
  /** A peer's remote threw `Moved` and that peer passed the call on here: it is not passed on again. */
  redirected?: boolean;
}

export type RpcReply = { ok: true; value: unknown } | { ok: false; code: ErrorCode; error: string };

/**
 * A sampled client request's times on its way to the clients' sockets, in ms (performance.timeOrigin +
 * performance.now()), each by the clock of the process that took it (see game-server/metrics/hop-trace.ts).
 */
export interface HopTrace {
  /** The frontend that received the request, and when (its clock). */
  frontendId: string;
  receivedAt: number;
  /** When the backend's handler started (the backend's clock). */
  handledAt?: number;
}

/** What a batch of pushes carries beside its pushes: when it left the backend, and the first traced push's trace. */
export interface PushBatchStamp {
  sentAt: number;
  trace?: HopTrace;
}

/** A client request whose route belongs to another server type, carried by the frontend. */
export interface ForwardedRequest {
  route: string;
  body: Record<string, unknown>;
  session: SessionSnapshot;
  /** Set when a backend passed the request on to another backend (a room that moved), to stop loops. */
  redirected?: boolean;
  /** One request in HOP_SAMPLE_EVERY carries its times. */
  trace?: HopTrace;
}

/** The answer to a client request: `code` 200 plus the handler's fields, or `{ code, error }`. */
export type ClientResponse = { code: number; error?: string } & Record<string, unknown>;

/**
 * A push to clients of one frontend: either every member of a channel (one encode on the frontend),
 * or every session holding one of the listed uids. `except` leaves out every session holding that
 * uid, `exceptSid` one session (the one whose request caused the push: it has its reply).
 */
export interface PushMessage {
  route: string;
  msg: unknown;
  channel?: string;
  uids?: string[];
  except?: string;
  exceptSid?: string;
}

/** Events a peer sends to a server's RPC port. */
export interface RpcServerEvents {
  call: (call: RemoteCall, ack: (reply: RpcReply) => void) => void;
  forward: (request: ForwardedRequest, ack: (response: ClientResponse) => void) => void;
  /** Pushes, in order: every push made to this peer in one turn of the sender's event loop. */
  push: (pushes: PushMessage[], stamp?: PushBatchStamp) => void;
}

/**
 * Events a server sends back down a link a peer opened to it: calls to a peer that has no internal
 * port of its own (operator tools' `__system` calls, passed on by `__system.relay`).
 */
export interface RpcPeerEvents {
  call: (call: RemoteCall, ack: (reply: RpcReply) => void) => void;
}

/** Presented in the socket.io handshake by every peer. */
export interface RpcAuth {
  secret: string;
  serverId: string;
}

/** A link as a server's status reports it: `starting` while the peer is within its start-up grace. */
export type LinkState = 'up' | 'starting' | 'down';
