/** The IPC between the bench runner and its load-generator processes. */
import type { HistogramData } from './histogram';

export interface BenchUser {
  username: string;
  /** The room it enters. */
  rid: string;
  /** Rooms it joins afterwards (`chat.chatHandler.join`), when told to; it then sends to its rooms in turn. */
  join?: string[];
}

export type WorkerCommand =
  | { type: 'enter'; gate: { host: string; port: number }; users: BenchUser[]; concurrency: number }
  /** Sends per second, over all of this worker's users, round robin. */
  | { type: 'rate'; perSecond: number }
  /** Every entered user joins its `join` rooms. */
  | { type: 'join'; concurrency: number }
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

export interface JoinReport {
  type: 'joined';
  joined: number;
  failed: number;
  firstError?: string;
  durationMs: number;
}

/** Counters since the last reset. */
export interface LoadReport {
  type: 'report';
  sent: number;
  acked: number;
  errors: number;
  firstError?: string;
  deliveries: number;
  /** Other pushes received (onAdd, onLeave...), by name. */
  pushes: Record<string, number>;
  latency: HistogramData;
  elapsedMs: number;
  /** This worker's own CPU time since the reset (user + system), ms. */
  cpuMs: number;
  openSockets: number;
}

export type WorkerReply = EnterReport | JoinReport | LoadReport | { type: 'ok' } | { type: 'error'; message: string };

/** A command with the id its reply carries back. */
export interface WorkerEnvelope {
  id: number;
  command: WorkerCommand;
}
export interface ReplyEnvelope {
  id: number;
  reply: WorkerReply;
}
