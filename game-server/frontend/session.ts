import type { SessionSnapshot } from '../rpc/rpc-messages';

/** A client's session as handlers see it; `S` is the application's settings shape. */
export interface Session<S extends object = Record<string, unknown>> {
  readonly id: string;
  readonly uid: string | null;
  readonly frontendId: string;
  readonly settings: Readonly<Partial<S>>;
}

/** The backend's read-only copy, rebuilt from the snapshot each forwarded request carries. */
export function sessionFromSnapshot<S extends object>(snapshot: SessionSnapshot): Session<S> {
  return {
    id: snapshot.id,
    uid: snapshot.uid,
    frontendId: snapshot.frontendId,
    settings: snapshot.settings as Partial<S>,
  };
}
