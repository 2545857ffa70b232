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
