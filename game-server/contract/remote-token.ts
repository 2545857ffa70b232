/**
 * Names one remote on the wire and types it: the same token registers it (`app.remote(token, impl)`)
 * and calls it (`app.rpc(token)`), so both ends agree on its name, server type and methods.
 */
export interface RemoteToken<T> {
  readonly name: string;
  /** The server type that serves it; `app.rpc(token).route(session)` picks one of these. */
  readonly serverType: string;
  /** The remote's interface: never set, only read by the compiler. */
  readonly methods?: T;
}

/** How an internal call reached its remote. */
export interface RemoteContext {
  /** Another server of this type passed the call on (its remote threw `Moved`): it is served here, not passed again. */
  readonly redirected: boolean;
}

/** A remote's implementation: the methods of its interface `T`, each with the call's context first. */
export type RemoteImpl<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (context: RemoteContext, ...args: A) => R : never;
};
