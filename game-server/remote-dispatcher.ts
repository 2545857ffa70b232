import { SYSTEM_REMOTE } from './admin/admin-messages';
import { Code } from './errors';
import { Registry, remoteMethods, type RemoteMethod } from './handler-registry';
import type { Logger } from './logger';
import type { ServerMetrics } from './metrics/server-metrics';
import { mapError } from './pipeline/error-step';
import type { RemoteCall, RpcReply } from './rpc/rpc-messages';

/** The remotes of one server, and the internal calls peers make to them. */
export class RemoteDispatcher {
  readonly remotes = new Registry<RemoteMethod>('remote');

  constructor(
    private readonly log: Logger,
    private readonly metrics: Pick<ServerMetrics, 'error'>,
  ) {}

  /** Serves `impl`'s methods as the remote `name`. */
  register(name: string, impl: object): void {
    this.remotes.register(name, remoteMethods(impl));
  }

  /** A call from a peer to this server's RPC port: any remote; a failure is `{ ok: false, code, error }`. */
  async run({ service, method, args }: RemoteCall): Promise<RpcReply> {
    try {
      const fn = this.remotes.lookup(service, method);
      return { ok: true, value: await fn(...(Array.isArray(args) ? args : [])) };
    } catch (err) {
      const { code, error } = mapError(this.log, this.metrics, err, `${service}.${method}`);
      return { ok: false, code, error };
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
