import type { Session } from '../frontend/session';
import type { SessionSnapshot } from '../rpc/rpc-messages';

/** What a forwarded request carries of its session (a copy: the frontend's may change meanwhile). */
export function sessionSnapshot({ id, uid, frontendId, settings }: Session): SessionSnapshot {
  return { id, uid, frontendId, settings: { ...settings } };
}
