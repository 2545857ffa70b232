import { SYSTEM_REMOTE } from './admin/admin-messages';
import { Moved } from './contract/moved';
import { AppError, Code } from './errors';
import { Registry, remoteMethods, type RemoteMethod } from './handler-registry';
import type { Logger } from './logger';
import type { ServerMetrics } from './metrics/server-metrics';
import { mapError } from './pipeline/error-step';
import type { RemoteCall, RpcReply } from './rpc/rpc-messages';

/** Sends a call to the server `serverId` and answers its value (AppError when it fails there or does not answer). */
export type PassOn = (serverId: string, call: RemoteCall) => Promise<unknown>;

/**
 * The remotes of one server, and the internal calls peers make to them. A remote whose state moved to
 * another server (it threw `Moved`) has the call passed on there once, as `movedStep` does for client
 * requests; moved again there, it is 503 rather than a loop.
 */
export class RemoteDispatcher {
  readonly remotes = new Registry<RemoteMethod>('remote');

  constructor(
    private readonly log: Logger,
    private readonly metrics: Pick<ServerMetrics, 'error'>,
    private readonly passOn: PassOn,
  ) {}

  /** Serves `impl`'s methods as the remote `name`; each gets the call's context first (see RemoteImpl). */
  register(name: string, impl: object): void {
    this.remotes.register(name, remoteMethods(impl));
  }

  /** A call from a peer to this server's RPC port: any remote; a failure is `{ ok: false, code, error }`. */
  async run(call: RemoteCall): Promise<RpcReply> {
    try {
      return { ok: true, value: await this.invoke(call) };
    } catch (err) {
      const { code, error } = mapError(this.log, this.metrics, err, `${call.service}.${call.method}`);
      return { ok: false, code, error };
    }
  }

  private async invoke({ service, method, args, redirected: flag }: RemoteCall): Promise<unknown> {
    const fn = this.remotes.lookup(service, method);
    const list = Array.isArray(args) ? args : [];
    const redirected = flag === true;
    try {
      return await fn({ redirected }, ...list);
    } catch (err) {
      if (!(err instanceof Moved)) throw err;
      if (redirected) throw new AppError(Code.UNAVAILABLE, 'what this call needs is moving; try again');
      return this.passOn(err.serverId, { service, method, args: list, redirected: true });
    }
  }

  /** A call a peer sent back down our link to it: only the operator's `__system` remote answers there. */
  answerPeer(call: RemoteCall): Promise<RpcReply> {
    if (call?.service !== SYSTEM_REMOTE) {
      return Promise.resolve({ ok: false, code: Code.FORBIDDEN, error: `only ${SYSTEM_REMOTE} calls come this way` });
    }
    return this.run(call);
  }
}
