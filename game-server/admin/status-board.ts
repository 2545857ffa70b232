import type { ServerInfo } from '../config/server-info';
import type { LinkState } from '../rpc/rpc-messages';
import type { StatusProvider, StatusQuery, SystemStatus } from './admin-messages';

/** What a frontend counts of its clients (SessionService has both). */
export interface ClientCounts {
  readonly connectionCount: number;
  readonly boundCount: number;
}

/** Client requests received so far (ServerMetrics has it). */
export interface RequestCount {
  readonly requestsIn: number;
}

/** One server's status: the runtime's fields plus whatever the application's providers add. */
export class StatusBoard {
  private readonly providers: StatusProvider[] = [];

  constructor(
    private readonly info: ServerInfo,
    private readonly clients?: ClientCounts,
    private readonly requests?: RequestCount,
    private readonly links?: () => Record<string, LinkState>,
  ) {}

  add(provider: StatusProvider): void {
    this.providers.push(provider);
  }

  async read(query: StatusQuery = {}): Promise<SystemStatus> {
    const extra: Record<string, unknown> = {};
    for (const provider of this.providers) Object.assign(extra, await provider(query));
    const { info, clients } = this;
    const afterGc = query.gc === true ? collectGarbage() : undefined;
    const { rss, heapUsed, heapTotal } = process.memoryUsage();
    return {
      ...extra,
      id: info.id,
      type: info.serverType,
      host: info.host,
      ...(info.port !== undefined && { port: info.port }),
      ...(info.clientPort !== undefined && { clientPort: info.clientPort }),
      pid: process.pid,
      node: process.version,
      startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
      uptimeSeconds: Math.round(process.uptime() * 10) / 10,
      memory: { rss, heapUsed, heapTotal, ...afterGc },
      ...(clients && { connections: clients.connectionCount, sessions: clients.boundCount }),
      ...(clients && this.requests && { requests: this.requests.requestsIn }),
      ...(this.links && { links: this.links() }),
    };
  }
}

/** A full collection and the heap after it, when the process runs with `--expose-gc` (else undefined). */
function collectGarbage(): { heapAfterGc: number; gcMs: number } | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return undefined;
  const started = performance.now();
  gc();
  const gcMs = Math.round((performance.now() - started) * 100) / 100;
  return { heapAfterGc: process.memoryUsage().heapUsed, gcMs };
}
