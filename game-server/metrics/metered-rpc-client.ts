import { performance } from 'node:perf_hooks';
import { AppError, Code } from '../errors';
import type { ServerInfo } from '../config/server-info';
import { RpcClient, type RpcClientOptions } from '../rpc/rpc-client';
import type { ClientResponse, ForwardedRequest, PushMessage, RemoteCall } from '../rpc/rpc-messages';
import type { RpcKind, ServerMetrics } from './server-metrics';

/** The RPC client, counting every request (with its latency and result code) and every push. */
export class MeteredRpcClient extends RpcClient {
  constructor(
    private readonly metrics: ServerMetrics,
    options: RpcClientOptions,
  ) {
    super(options);
  }

  override async call(server: ServerInfo, call: RemoteCall, timeoutMs?: number): Promise<unknown> {
    const started = performance.now();
    try {
      const value = await super.call(server, call, timeoutMs);
      this.observe('call', server, Code.OK, started);
      return value;
    } catch (err) {
      this.observe('call', server, err instanceof AppError ? err.code : Code.SERVER_ERROR, started);
      throw err;
    }
  }

  override async forward(server: ServerInfo, request: ForwardedRequest): Promise<ClientResponse> {
    const started = performance.now();
    try {
      const response = await super.forward(server, request);
      this.observe('forward', server, response.code, started);
      return response;
    } catch (err) {
      this.observe('forward', server, err instanceof AppError ? err.code : Code.SERVER_ERROR, started);
      throw err;
    }
  }

  override push(server: ServerInfo, push: PushMessage): boolean {
    const sent = super.push(server, push);
    this.metrics.rpcPush(server.serverType, sent);
    return sent;
  }

  private observe(kind: RpcKind, server: ServerInfo, code: number, started: number): void {
    this.metrics.rpcRequest(kind, server.serverType, code, (performance.now() - started) / 1000);
  }
}
