/**
 * The soak's moderation: one user enters a room, is kicked through the server API
 * (`POST /api/rooms/:rid/kick`, as an operator's program would), gets `onKick` and is disconnected
 * (it was in no other room), then comes back through the gate; again every `periodMs`.
 */
import { Push, type KickEvent } from '../../app/protocol';
import { sleep } from '../../game-server/sleep';
import { enterThroughGate } from './enter-through-gate';
import type { Tally } from './tally';

export const KICK_ROOM = 'soak-kicks';
const KICKED = 'soak-kicked';
/** How long the kicked user waits for its onKick. */
const KICK_WAIT_MS = 10_000;

export interface KickOptions {
  gate: { host: string; port: number };
  /** The web server's address and API_KEY. */
  webUrl: string;
  apiKey: string;
  periodMs: number;
}

export function startKicks(options: KickOptions, tally: Tally): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      await kickOnce(options, tally);
      await sleep(options.periodMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

async function kickOnce(options: KickOptions, tally: Tally): Promise<void> {
  const socket = await enterThroughGate(options.gate, KICKED, KICK_ROOM, tally, 'kicked:');
  if (!socket) return;
  try {
    let event: KickEvent | undefined;
    const told = new Promise<void>((resolve) => socket.once(Push.kick, (e) => resolve(void (event = e))));
    const closed = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    const status = await kickThroughApi(options, KICKED, KICK_ROOM);
    tally.add('kick', status);
    if (status !== 200) return;
    tally.add('onKick', (await within(told, KICK_WAIT_MS)) ? 'received' : 'missing');
    // Left in no room, the connection is closed by the server.
    if (event) tally.add('kicked:disconnect', (await within(closed, KICK_WAIT_MS)) ? 'done' : 'missing');
  } finally {
    socket.disconnect();
  }
}

/** Whether `promise` settled within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([promise.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
  clearTimeout(timer);
  return done;
}

/** The HTTP status of `POST /api/rooms/:rid/kick`, or 0 when the web server did not answer. */
async function kickThroughApi(options: KickOptions, username: string, rid: string): Promise<number> {
  try {
    const res = await fetch(new URL(`api/rooms/${encodeURIComponent(rid)}/kick`, options.webUrl), {
      method: 'POST',
      headers: { Authorization: `Bearer ${options.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, reason: 'soak' }),
      signal: AbortSignal.timeout(KICK_WAIT_MS),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
