import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsSnapshot } from '../admin/admin-messages';
import type { ClientCounts } from '../admin/status-board';
import type { ServerInfo } from '../config/server-info';
import type { Hop } from './hop-trace';
import { LabelledCounter } from './label-counts';

/** Internal requests a server makes: a `call` to a remote, or a client request `forward`ed to a backend. */
export type RpcKind = 'call' | 'forward';

/** Which way a frame went on an internal link, seen from the server that opened the link. */
export type LinkDirection = 'in' | 'out';

/** Loopback RPCs take well under a millisecond; a timeout lands in the last buckets. */
const RPC_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** A hop of a message takes from tens of microseconds (idle) to tens of milliseconds (a loaded 2-core machine). */
const HOP_BUCKETS = [
  0.0001, 0.0002, 0.0005, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5,
];

/** `metric.labels(...)` children cached by label values, so counting does not rebuild a label key each time. */
function childrenOf<C>(labels: (...values: string[]) => C): (...values: string[]) => C {
  const cache = new Map<string, C>();
  return (...values) => {
    const key = values.join('\u0000');
    let child = cache.get(key);
    if (child === undefined) {
      child = labels(...values);
      cache.set(key, child);
    }
    return child;
  };
}

/**
 * One server's Prometheus metrics, in a registry of its own whose every series carries the labels
 * `server` (the id) and `server_type`. Counting is an `inc` on a cached child: nothing per message is
 * logged, and no label takes user-chosen values (callers pass routes from a fixed set).
 */
export class ServerMetrics {
  readonly registry = new Registry();
  /** Client requests received (frontends), as a plain number for the status reply. */
  requestsIn = 0;
  /** Counted per message: plain numbers, told to prom-client when scraped (label-counts.ts). */
  private readonly messagesIn: LabelledCounter;
  private readonly messagesOut: LabelledCounter;
  private readonly errors: LabelledCounter;
  private readonly rpcRequests: LabelledCounter;
  private readonly rpcPushes: LabelledCounter;
  private readonly rpcDuration;
  private readonly hops;
  /** Frames and payload bytes on the internal links this server opened: plain numbers, read when scraped. */
  private readonly linkTraffic = { in: { frames: 0, bytes: 0 }, out: { frames: 0, bytes: 0 } };

  /** On every series (the registry's default labels). */
  private readonly labels: Record<string, string>;

  constructor(info: ServerInfo, clients?: ClientCounts, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.labels = { server: info.id, server_type: info.serverType };
    this.registry.setDefaultLabels(this.labels);
    // process_* and nodejs_* series, among them nodejs_eventloop_lag_seconds and its percentiles.
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    if (clients) {
      this.gauge('client_connections', 'Open client sockets on this frontend', () => clients.connectionCount);
      this.gauge('client_sessions', 'Uids held by the client sockets of this frontend (one per user and room)', () => clients.boundCount);
    }
    this.messagesIn = new LabelledCounter({
      name: 'client_messages_in_total',
      help: 'Requests received from clients on this frontend, by route ("other" for routes it does not serve)',
      labelNames: ['route'],
      registers,
    });
    this.messagesOut = new LabelledCounter({
      name: 'client_messages_out_total',
      help: 'Pushes delivered to client sockets on this frontend, one per recipient, by push route',
      labelNames: ['route'],
      registers,
    });
    this.errors = new LabelledCounter({
      name: 'request_errors_total',
      help: 'Error replies made on this server (to client requests, forwarded requests and remote calls), by code',
      labelNames: ['code'],
      registers,
    });
    this.rpcRequests = new LabelledCounter({
      name: 'rpc_requests_total',
      help: 'Internal requests this server made, by kind, peer server type and result code (503: no answer in time)',
      labelNames: ['kind', 'peer_type', 'code'],
      registers,
    });
    const rpcDuration = new Histogram({
      name: 'rpc_request_duration_seconds',
      help: 'Time from sending an internal request to its answer or timeout, by kind and peer server type',
      labelNames: ['kind', 'peer_type'],
      buckets: RPC_BUCKETS,
      registers,
    });
    this.rpcPushes = new LabelledCounter({
      name: 'rpc_pushes_total',
      help: 'Pushes this server sent to frontends over internal links, by peer server type ("dropped": link down)',
      labelNames: ['peer_type', 'result'],
      registers,
    });
    const hops = new Histogram({
      name: 'message_hop_seconds',
      help:
        'Time a message spends on one hop from the frontend receiving the request to the write to client sockets ' +
        '(sampled requests and every push batch; see docs/monitoring/README.md for which hops compare two clocks)',
      labelNames: ['hop'],
      buckets: HOP_BUCKETS,
      registers,
    });
    this.linkCounter(
      'rpc_link_frames_total',
      'frames',
      'Frames (socket.io packets) on the internal links this server opened, by direction',
    );
    this.linkCounter(
      'rpc_link_bytes_total',
      'bytes',
      'Payload characters of those frames (bytes for ASCII), without websocket and TCP headers, by direction',
    );
    this.rpcDuration = childrenOf((...v) => rpcDuration.labels(...v));
    this.hops = childrenOf((...v) => hops.labels(...v));
  }

  /** A gauge read when scraped, e.g. the application's room count. */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /**
   * A counter read when scraped from a number the application keeps (e.g. messages published), so
   * counting costs the application one increment and nothing here.
   */
  counter(name: string, help: string, read: () => number): void {
    let reported = 0;
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        const now = read();
        if (now > reported) this.inc(now - reported);
        reported = now;
      },
    });
  }

  /**
   * One frame on an internal link this server opened (every link has one opener, so the cluster's
   * sums count each frame once). A frame carries one request, one reply, or one batch of pushes.
   */
  linkFrame(direction: LinkDirection, bytes: number): void {
    const traffic = this.linkTraffic[direction];
    traffic.frames++;
    traffic.bytes += bytes;
  }

  private linkCounter(name: string, field: 'frames' | 'bytes', help: string): void {
    const traffic = this.linkTraffic;
    const reported = { in: 0, out: 0 };
    new Counter({
      name,
      help,
      labelNames: ['direction'],
      registers: [this.registry],
      collect() {
        for (const direction of ['in', 'out'] as const) {
          this.inc({ direction }, traffic[direction][field] - reported[direction]);
          reported[direction] = traffic[direction][field];
        }
      },
    });
  }

  messageIn(route: string): void {
    this.requestsIn++;
    this.messagesIn.add(1, route);
  }

  messagesDelivered(route: string, recipients: number): void {
    if (recipients > 0) this.messagesOut.add(recipients, route);
  }

  error(code: number): void {
    this.errors.add(1, String(code));
  }

  rpcRequest(kind: RpcKind, peerType: string, code: number, seconds: number): void {
    this.rpcRequests.add(1, kind, peerType, String(code));
    this.rpcDuration(kind, peerType).observe(seconds);
  }

  rpcPush(peerType: string, sent: boolean): void {
    this.rpcPushes.add(1, peerType, sent ? 'sent' : 'dropped');
  }

  /** One message's time on `hop`, from two times in ms (a negative difference, two clocks apart, counts as 0). */
  hop(hop: Hop, fromMs: number, toMs: number): void {
    this.hops(hop).observe(Math.max(0, toMs - fromMs) / 1000);
  }

  /**
   * Every series, as JSON for the `__system.metrics` remote; with `names`, only those metrics. A full
   * snapshot collects the process and Node.js series too (open files, heap spaces, active handles), which
   * holds the event loop for milliseconds: a caller that reads one histogram between load steps asks for it alone.
   */
  async snapshot(names?: readonly string[]): Promise<MetricsSnapshot> {
    if (names === undefined) return this.registry.getMetricsAsJSON();
    const { labels } = this;
    const picked = await Promise.all(names.flatMap((name) => this.registry.getSingleMetric(name)?.get() ?? []));
    return picked.map((metric) => ({ ...metric, values: metric.values.map((v) => ({ ...v, labels: { ...labels, ...v.labels } })) }));
  }
}
