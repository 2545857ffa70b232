/** Counts what the cluster adapter sends between node:cluster workers: its IPC messages and their JSON size. */

/** `@socket.io/cluster-adapter` marks its messages with this source. */
const ADAPTER_SOURCE = '_sio_adapter';

export interface IpcCounts {
  /** Adapter messages this worker sent to the primary, and the bytes of their JSON lines. */
  messagesOut: number;
  bytesOut: number;
  /** Adapter messages the primary relayed to this worker. */
  messagesIn: number;
  bytesIn: number;
  /** onChat broadcasts this worker started (one per message a client sent to its room). */
  chatBroadcasts: number;
}

export const NO_COUNTS: IpcCounts = { messagesOut: 0, bytesOut: 0, messagesIn: 0, bytesIn: 0, chatBroadcasts: 0 };

const isAdapterMessage = (message: unknown): boolean => (message as { source?: unknown } | null)?.source === ADAPTER_SOURCE;

/** The IPC channel serializes a message as one JSON line (the default `json` serialization). */
const wireBytes = (message: unknown): number => Buffer.byteLength(JSON.stringify(message)) + 1;

/**
 * Wraps this worker's `process.send` and listens on its channel, counting adapter messages both ways
 * (each hop worker -> primary and primary -> worker is counted once, by the worker at its end).
 * Install before the adapter is created. It serializes every adapter message once more to size it,
 * so only the scale-out scenario turns it on.
 */
export function countAdapterIpc(): IpcCounts {
  const counts: IpcCounts = { ...NO_COUNTS };
  const send = process.send?.bind(process);
  if (!send) throw new Error('countAdapterIpc: this process has no IPC channel');
  process.send = ((message: unknown, ...rest: never[]) => {
    if (isAdapterMessage(message)) {
      counts.messagesOut++;
      counts.bytesOut += wireBytes(message);
    }
    return send(message, ...rest);
  }) as typeof process.send;
  process.on('message', (message: unknown) => {
    if (!isAdapterMessage(message)) return;
    counts.messagesIn++;
    counts.bytesIn += wireBytes(message);
  });
  return counts;
}
