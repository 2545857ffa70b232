/** A load worker's users beyond their first room: joining the rooms they were given, and sending to each in turn. */
import { performance } from 'node:perf_hooks';
import { Route, type Reply, type JoinResult } from '../../app/protocol';
import type { JoinReport } from './worker-messages';
import type { WireClient } from './wire-client';

export interface BenchClient {
  wire: WireClient;
  /** The rooms it is in: the one it entered first. */
  rooms: string[];
  /** Rooms still to join when told to. */
  toJoin: string[];
  /** Which of `rooms` its next message goes to. */
  nextRoom: number;
}

/** Joins every client's `toJoin` rooms, `concurrency` joins in flight. */
export async function joinRooms(clients: readonly BenchClient[], concurrency: number): Promise<JoinReport> {
  const started = performance.now();
  const joins = clients.flatMap((client) => client.toJoin.map((rid) => ({ client, rid })));
  for (const client of clients) client.toJoin = [];
  let joined = 0;
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < joins.length) {
      const { client, rid } = joins[next++]!;
      try {
        const reply = (await client.wire.request(Route.join, { rid })) as Reply<JoinResult>;
        if (reply.code !== 200) throw new Error(`join ${rid}: ${JSON.stringify(reply).slice(0, 200)}`);
        client.rooms.push(rid);
        joined++;
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, joins.length) }, lane));
  return { type: 'joined', joined, failed, ...(firstError !== undefined && { firstError }), durationMs: performance.now() - started };
}

/** The room of a client's next message: absent for a client in one room (the one it entered, as before multi-room). */
export function nextRoomOf(client: BenchClient): string | undefined {
  if (client.rooms.length < 2) return undefined;
  return client.rooms[client.nextRoom++ % client.rooms.length];
}
