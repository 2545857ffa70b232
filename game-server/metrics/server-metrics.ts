import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsSnapshot } from '../admin/admin-messages';
import type { ClientCounts } from '../admin/status-board';
import type { ServerInfo } from '../config/server-info';

/** Internal requests a server makes: a `call` to a remote, or a client request `forward`ed to a backend. */
export type RpcKind = 'call' | 'forward';

/** Loopback RPCs take well under a millisecond; a timeout lands in the last buckets. */
const RPC_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

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
  private readonly messagesIn;
  private readonly messagesOut;
  private readonly errors;
  private readonly rpcRequests;
  private readonly rpcDuration;
  private readonly rpcPushes;

  constructor(info: ServerInfo, clients?: ClientCounts, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ server: info.id, server_type: info.serverType });
    // process_* and nodejs_* series, among them nodejs_eventloop_lag_seconds and its percentiles.
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    if (clients) {
      this.gauge('client_connections', 'Open client sockets on this frontend', () => clients.connectionCount);
      this.gauge('client_sessions', 'Client sockets bound to a user on this frontend', () => clients.boundCount);
    }
    const messagesIn = new Counter({
      name: 'client_messages_in_total',
      help: 'Requests received from clients on this frontend, by route ("other" for routes it does not serve)',
      labelNames: ['route'],
      registers,
    });
    const messagesOut = new Counter({
      name: 'client_messages_out_total',
      help: 'Pushes delivered to client sockets on this frontend, one per recipient, by push route',
      labelNames: ['route'],
      registers,
    });
    const errors = new Counter({
      name: 'request_errors_total',
      help: 'Error replies made on this server (to client requests, forwarded requests and remote calls), by code',
      labelNames: ['code'],
      registers,
    });
    const rpcRequests = new Counter({
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
    const rpcPushes = new Counter({
      name: 'rpc_pushes_total',
      help: 'Pushes this server sent to frontends over internal links, by peer server type ("dropped": link down)',
      labelNames: ['peer_type', 'result'],
      registers,
    });
    this.messagesIn = childrenOf((...v) => messagesIn.labels(...v));
    this.messagesOut = childrenOf((...v) => messagesOut.labels(...v));
    this.errors = childrenOf((...v) => errors.labels(...v));
    this.rpcRequests = childrenOf((...v) => rpcRequests.labels(...v));
    this.rpcDuration = childrenOf((...v) => rpcDuration.labels(...v));
    this.rpcPushes = childrenOf((...v) => rpcPushes.labels(...v));
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

  messageIn(route: string): void {
    this.requestsIn++;
    this.messagesIn(route).inc();
  }

  messagesDelivered(route: string, recipients: number): void {
    if (recipients > 0) this.messagesOut(route).inc(recipients);
  }

  error(code: number): void {
    this.errors(String(code)).inc();
  }

  rpcRequest(kind: RpcKind, peerType: string, code: number, seconds: number): void {
    this.rpcRequests(kind, peerType, String(code)).inc();
    this.rpcDuration(kind, peerType).observe(seconds);
  }

  rpcPush(peerType: string, sent: boolean): void {
    this.rpcPushes(peerType, sent ? 'sent' : 'dropped').inc();
  }

  /** Every series, as JSON for the `__system.metrics` remote. */
  snapshot(): Promise<MetricsSnapshot> {
    return this.registry.getMetricsAsJSON();
  }
}
