/**
 * The soak's churn: visitors that come and go through the gate, each cycle a new connection that
 * enters its own room, joins one of the verified rooms, reads its history, leaves it, sends one
 * message in its own room and disconnects. Names come from a fixed pool, rooms from a fixed set:
 * what a server keeps per name or room stays bounded unless it leaks.
 */
import { Route, type EnterResult, type HistoryResult, type LeaveResult, type SendResult } from '../../app/protocol';
import { enterThroughGate } from './enter-through-gate';
import { sleep } from '../../game-server/sleep';
import { request } from '../chaos/client-socket';
import type { Tally } from './tally';

/** Names each visitor cycles through. */
const NAMES_PER_VISITOR = 20;

export interface VisitorOptions {
  gate: { host: string; port: number };
  visitors: number;
  /** The rooms a visitor joins for a moment (the verified ones, with traffic). */
  busyRooms: readonly string[];
  /** Pause between a visitor's cycles, ms. */
  pauseMs: number;
}

export const visitorRoom = (i: number): string => `soak-visitors-${i}`;

export function startVisitors(options: VisitorOptions, tally: Tally): { stop(): Promise<void> } {
  let running = true;
  const loops = Array.from({ length: options.visitors }, async (_, i) => {
    await sleep((i * options.pauseMs) / options.visitors);
    for (let n = 0; running; n++) {
      await cycle(options, i, n, tally);
      await sleep(options.pauseMs);
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function cycle(options: VisitorOptions, i: number, n: number, tally: Tally): Promise<void> {
  const username = `soak-v${i}-${n % NAMES_PER_VISITOR}`;
  const home = visitorRoom(i);
  const busy = options.busyRooms[n % options.busyRooms.length]!;
  const socket = await enterThroughGate(options.gate, username, home, tally, '');
  if (!socket) return;
  try {
    const joined = await tally.count('join', () => request<EnterResult>(socket, Route.join, { rid: busy }));
    if (joined?.code === 200) {
      await tally.count('history', () => request<HistoryResult>(socket, Route.history, { rid: busy, afterSeq: 0 }));
      await tally.count('leave', () => request<LeaveResult>(socket, Route.leave, { rid: busy }));
    }
    await tally.count('send', () => request<SendResult>(socket, Route.send, { rid: home, content: `${username} #${n}`, target: '*' }));
  } finally {
    socket.disconnect();
  }
}
