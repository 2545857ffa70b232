/**
 * The soak's slow reader: a connection in a room with a steady stream of large messages that stops
 * reading its socket (its TCP socket paused, as a stalled phone would). The connector must drop it once
 * CLIENT_MAX_BUFFERED_BYTES wait for it, and forget it; the room's sender sees it leave, and a new slow
 * reader takes its place.
 */
import type { Socket as NetSocket } from 'node:net';
import { Push, Route, type UserEvent, type SendResult } from '../../app/protocol';
import { enterThroughGate } from './enter-through-gate';
import { sleep } from '../../game-server/sleep';
import { request, type ClientSocket } from '../chaos/client-socket';
import type { Tally } from './tally';

export const SLOW_ROOM = 'soak-slow';
const SENDER = 'soak-firehose';
/** A slow reader not dropped by then counts as `slow:not dropped` (and is closed). */
const DROP_WAIT_MS = 45_000;

export interface SlowReaderOptions {
  gate: { host: string; port: number };
  /** The sender's messages: how large, and how many a second. */
  messageChars: number;
  rate: number;
}

export function startSlowReaders(options: SlowReaderOptions, tally: Tally): { stop(): Promise<void> } {
  let running = true;
  let sender: ClientSocket | undefined;
  const left = new Set<string>();
  const waiters = new Map<string, () => void>();
  const text = 'x'.repeat(options.messageChars);
  const firehose = (async () => {
    while (running && !sender) {
      sender = await enterThroughGate(options.gate, SENDER, SLOW_ROOM, tally, 'firehose:');
      if (!sender) await sleep(500);
    }
    sender?.on(Push.leave, (e: UserEvent) => {
      left.add(e.user);
      waiters.get(e.user)?.();
    });
    while (running && sender) {
      // Counted only when refused: thousands of 200s say nothing.
      const reply = await request<SendResult>(sender, Route.send, { rid: SLOW_ROOM, content: text, target: '*' }).catch(() => undefined);
      if (reply?.code !== 200) tally.add('firehose:send', reply?.code ?? 'error');
      await sleep(1000 / options.rate);
    }
  })();
  const readers = (async () => {
    for (let n = 0; running; n++) {
      const name = `soak-slow-${n % 10}`;
      left.delete(name);
      const reader = await enterThroughGate(options.gate, name, SLOW_ROOM, tally, 'slow:');
      if (!reader) {
        await sleep(500);
        continue;
      }
      const engine = reader.io.engine as unknown as { transport: { ws?: { _socket?: NetSocket } } };
      engine.transport.ws?._socket?.pause();
      let timer: NodeJS.Timeout | undefined;
      const dropped = await new Promise<boolean>((resolve) => {
        if (left.has(name)) return resolve(true);
        waiters.set(name, () => resolve(true));
        timer = setTimeout(() => resolve(false), DROP_WAIT_MS);
        stopWaiting = () => resolve(false);
      });
      clearTimeout(timer);
      waiters.delete(name);
      if (running || dropped) tally.add('slow', dropped ? 'dropped' : 'not dropped');
      // Its socket is paused: a local destroy frees it at once.
      engine.transport.ws?._socket?.destroy();
      reader.disconnect();
    }
  })();
  let stopWaiting = (): void => undefined;
  return {
    async stop() {
      running = false;
      stopWaiting();
      await readers;
      await firehose;
      sender?.disconnect();
    },
  };
}
