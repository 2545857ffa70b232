import { performance } from 'node:perf_hooks';
import { AppError, Code } from '../errors';
import type { ServerInfo } from '../config/server-info';
import { RpcClient, type RpcClientOptions } from '../rpc/rpc-client';
import type { ClientResponse, ForwardedRequest, HopTrace, PushMessage, RemoteCall } from '../rpc/rpc-messages';
import { HOPS } from './hop-trace';
import type { LinkDirection, RpcKind, ServerMetrics } from './server-metrics';

type PeerLink = ReturnType<RpcClient['connect']>;
type Engine = PeerLink['io']['engine'];

/** Payload size of an engine.io packet: characters of a text frame, bytes of a binary one. */
function payloadSize(data: unknown): number {
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

/**
 * The RPC client, counting every request (with its latency and result code), every push, and the
 * frames and bytes on its links (counted per engine.io packet, so a batch of pushes is one frame).
 */
export class MeteredRpcClient extends RpcClient {
  private readonly meteredLinks = new WeakSet<PeerLink['io']>();

  constructor(
    private readonly metrics: ServerMetrics,
    options: RpcClientOptions,
  ) {
    super(options);
  }

  override connect(server: ServerInfo): PeerLink {
    const link = super.connect(server);
    const manager = link.io;
    if (!this.meteredLinks.has(manager)) {
      this.meteredLinks.add(manager);
      // Each (re)connection opens a new engine.
      manager.on('open', () => this.meter(manager.engine));
    }
    return link;
  }

  private meter(engine: Engine): void {
    const count = (direction: LinkDirection) => (packet: { type: string; data?: unknown }) => {
      if (packet.type === 'message') this.metrics.linkFrame(direction, payloadSize(packet.data));
    };
    engine.on('packetCreate', count('out'));
    engine.on('packet', count('in'));
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

  override push(server: ServerInfo, push: PushMessage, trace?: HopTrace): boolean {
    const sent = super.push(server, push, trace);
    this.metrics.rpcPush(server.serverType, sent);
    return sent;
  }

  protected override tracedPushSent(trace: HopTrace, sentAt: number): void {
    if (trace.handledAt !== undefined) this.metrics.hop(HOPS.handlerToPush, trace.handledAt, sentAt);
  }

  private observe(kind: RpcKind, server: ServerInfo, code: number, started: number): void {
    this.metrics.rpcRequest(kind, server.serverType, code, (performance.now() - started) / 1000);
  }
}
