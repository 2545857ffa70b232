import { AppError, Code, type Session } from '../../game-server';
import type { ChatSession } from '../protocol';

/** The session of a user who entered (a room, at first): what `chat.*` handlers run with. */
export interface MemberSession {
  readonly id: string;
  readonly uid: string;
  readonly frontendId: string;
  readonly settings: Readonly<ChatSession>;
}

/** The session as a room member's, or undefined: its settings came over the wire, so they are checked here, once. */
export function memberOf(session: Session): MemberSession | undefined {
  const { rid, username } = session.settings;
  if (session.uid === null || typeof rid !== 'string' || typeof username !== 'string') return undefined;
  return { id: session.id, uid: session.uid, frontendId: session.frontendId, settings: { rid, username } };
}

/** The session as a room member's, or 403. */
export function memberSession(session: Session): MemberSession {
  const member = memberOf(session);
  if (!member) throw new AppError(Code.FORBIDDEN, 'enter a room first');
  return member;
}
