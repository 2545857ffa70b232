/** The IPC between the bench runner and its load-generator processes. */
import type { HistogramData } from './histogram';

export interface BenchUser {
  username: string;
  rid: string;
}

export type WorkerCommand =
  | { type: 'enter'; gate: { host: string; port: number }; users: BenchUser[]; concurrency: number }
  /** Sends per second, over all of this worker's users, round robin. */
  | { type: 'rate'; perSecond: number }
  | { type: 'reset' }
  | { type: 'report' }
  | { type: 'close' };

export interface EnterReport {
  type: 'entered';
  entered: number;
  failed: number;
  firstError?: string;
  /** gate connect to enter reply, per user. */
  latency: HistogramData;
  durationMs: number;
  /** Users per connector port (as the gate answered). */
  perPort: Record<string, number>;
}

/** Counters since the last reset. */
export interface LoadReport {
  type: 'report';
  sent: number;
  acked: number;
  errors: number;
  firstError?: string;
  deliveries: number;
  latency: HistogramData;
  elapsedMs: number;
  /** This worker's own CPU time since the reset (user + system), ms. */
  cpuMs: number;
  openSockets: number;
}

export type WorkerReply = EnterReport | LoadReport | { type: 'ok' } | { type: 'error'; message: string };

/** A command with the id its reply carries back. */
export interface WorkerEnvelope {
  id: number;
  command: WorkerCommand;
}
export interface ReplyEnvelope {
  id: number;
  reply: WorkerReply;
}
