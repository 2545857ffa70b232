/** The IPC of the adapter target: bench runner <-> primary <-> workers. */
import type { IpcCounts } from './ipc-counter';

/** Primary -> runner once every worker listens. */
export interface AdapterReady {
  listening: number;
  workerPids: number[];
}

/** Runner -> primary -> workers: a request for the adapter's IPC counters. */
export interface CountersRequest {
  countersRequest: number;
}

/** Worker -> primary -> runner (summed over the workers). */
export interface CountersReply {
  countersReply: number;
  counts: IpcCounts;
}

export const isCountersRequest = (m: unknown): m is CountersRequest => typeof (m as CountersRequest | null)?.countersRequest === 'number';

export const isCountersReply = (m: unknown): m is CountersReply => typeof (m as CountersReply | null)?.countersReply === 'number';
