/** chatofpomelo-client: the typed client of the chat cluster (docs/PROTOCOL.md). */
export { ChatClient, type ChatClientOptions, type JoinResult, type SendOptions } from './chat-client.js';
export type { WireTaps } from './options.js';
export type { ChatSocket } from './transport.js';
export type {
  ChatClientEvents,
  ConnectionState,
  KickedEvent,
  ReadEvent,
  RecoveredEvent,
  RejoinedEvent,
  RoomArrival,
  RoomMessage,
  StateEvent,
  TokenRefreshedEvent,
  TypingEvent,
  UserInRoomEvent,
} from './events.js';
export { ChatClientError } from './errors.js';
export { DEFAULT_RETRY, type RetryEvent, type RetryOptions } from './retry.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { RoomLogFollower, type FollowerIO } from './room-log-follower.js';
export { RoomFollowers } from './room-followers.js';
export * from './protocol.js';
