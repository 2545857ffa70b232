/** Turns a remote's interface into async callers: `app.rpc(Remotes.chat).route(session).add(...)`. */
export type RemoteCaller<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

export function remoteCaller<T>(invoke: (method: string, args: unknown[]) => Promise<unknown>): RemoteCaller<T> {
  return new Proxy({} as RemoteCaller<T>, {
    get: (_target, method) => (typeof method === 'string' ? (...args: unknown[]) => invoke(method, args) : undefined),
  });
}
