import type { Application, FrontendSession } from '../../../game-server';
import { Push, type ChatSession, type KickEvent } from '../../protocol';

/**
 * Pushes `onKick` to a connection and closes it: out of its room's channel first, so pushes to the
 * room from now on (its own onLeave) skip this socket; closed after the push, which socket.io writes
 * before it closes.
 */
export function kickConnection(app: Application, session: FrontendSession<ChatSession>, event: KickEvent): void {
  const { rid } = session.settings;
  if (rid !== undefined) session.leave(rid);
  session.socket.emit(Push.kick, event);
  app.metrics.messagesDelivered(Push.kick, 1);
  session.socket.disconnect(true);
}
