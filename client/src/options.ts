/** What a ChatClient is given, and what its join and send take and give. */
import type { BackoffOptions } from './backoff.js';
import type { RoomArrival } from './events.js';
import type { ChatMessage } from './protocol.js';
import type { RetryOptions } from './retry.js';
import type { ChatSocket } from './transport.js';

export interface ChatClientOptions {
  /** The gate's address, e.g. `http://127.0.0.1:3014` (https for a TLS gate). */
  gate: string;
  username: string;
  /** A sign-in token (clusters with AUTH_SECRET), used when there is no `tokenProvider`. */
  token?: string;
  /** Called before each connect and on `onTokenExpiring` (then `connector.entryHandler.refresh`). */
  tokenProvider?: () => string | undefined | Promise<string | undefined>;
  backoff?: Partial<BackoffOptions>;
  /** How a request answered 503 is asked again: backoff, at most `attempts` tries within `withinMs`. */
  retry?: Partial<RetryOptions>;
  /** Default 5000. */
  requestTimeoutMs?: number;
  /** Default 5000. */
  connectTimeoutMs?: number;
  /** How long a send (or join, history) waits for the connection to come back before it fails. Default 30000. */
  sendTimeoutMs?: number;
  /** Default `['websocket']`. */
  transports?: ('websocket' | 'polling')[];
  /** Taps on the wire, for test harnesses and debugging tools; the client works the same without them. */
  wire?: WireTaps;
}

export interface WireTaps {
  /** Each connector socket as it opens, before any request: listeners added here hear each push before the client does. */
  socket?: (socket: ChatSocket, url: string) => void;
  /** Each answer to a connector request (a 503 retried included) with its request, before the client uses it. */
  reply?: (route: string, request: unknown, reply: unknown) => void;
}

export interface JoinResult extends RoomArrival {
  /** The room's recent messages, oldest first (not emitted as 'message'). */
  history: ChatMessage[];
}

export interface SendOptions {
  /** A user name in the room, for a private message; default: the whole room. */
  to?: string;
  /** Default: a fresh id. Give one to make a send of your own idempotent across client restarts. */
  clientMsgId?: string;
}
