/**
 * Multi-room: every client enters one room and joins more (`chat.chatHandler.join`), rooms of the same
 * size. Memory: the holders' RSS and heap with every client in one room, then in all of its rooms, the
 * difference divided by the extra memberships. Then the chat steps, each client sending to its rooms in
 * turn: the peak of onChat deliveries a second.
 */
import { sleep } from '../../game-server/sleep';
import type { MultiRoomSize } from '../sizes';
import { holderMemory, total, type HolderMemory } from './holder-memory';
import { multiRoomUsers } from './room-layout';
import { requireAllEntered, type Figure, type ScenarioContext, type ScenarioResult } from './scenario';
import { stepUp } from './step-up';

/** What one more room membership may cost a connector. */
export const MEMBERSHIP_TARGET_BYTES = 1024;

const KiB = 1024;
const kib = (bytes: number): number => Number((bytes / KiB).toFixed(3));

export async function runMultiRoom(ctx: ScenarioContext, size: MultiRoomSize): Promise<ScenarioResult> {
  if (size.roomsPerClient < 2) throw new Error('multiRoom compares 1 room per client with more: --rooms-per-client 2 or more');
  const users = multiRoomUsers(size.clients, size.roomSize, size.roomsPerClient, 'multi');
  requireAllEntered(await ctx.pool.enter(ctx.target.gate, users));
  await sleep(size.settleMs);
  const oneRoom = await holderMemory(ctx.target);
  const joined = await ctx.pool.join();
  if (joined.failed > 0) throw new Error(`${joined.failed} joins failed (first error: ${joined.firstError ?? '?'})`);
  await sleep(size.settleMs);
  const allRooms = await holderMemory(ctx.target);
  const extra = joined.joined;
  const perMembership = (of: (m: HolderMemory) => Record<string, number> | undefined): number | undefined =>
    of(oneRoom) && of(allRooms) ? (total(of(allRooms)) - total(of(oneRoom))) / Math.max(1, extra) : undefined;
  const rss = perMembership((m) => m.rss)!;
  const heap = perMembership((m) => m.heapUsed);
  // Live objects are what a membership keeps: the heap after a full GC where the probe runs. RSS moves
  // in pages the allocators keep or return as they please, so it is shown, and judged only without a heap figure.
  const judged = heap ?? rss;
  const meets = judged <= MEMBERSHIP_TARGET_BYTES;
  const joinsPerSecond = Math.round(extra / (joined.durationMs / 1000));
  ctx.log(
    `  ${extra} joins in ${Math.round(joined.durationMs)} ms (${joinsPerSecond}/s); per extra membership: RSS ${kib(rss)} KiB` +
      `${heap === undefined ? '' : `, heap ${kib(heap)} KiB`} (${allRooms.afterGc ? 'after a full GC' : 'as found, no GC'};` +
      ` target ${MEMBERSHIP_TARGET_BYTES / KiB} KiB: ${meets ? 'met' : 'NOT met'})`,
  );
  const steps = await stepUp(ctx, size);
  const figures: Figure[] = [
    { name: 'joins', unit: '/s', value: joinsPerSecond },
    { name: 'connector RSS per extra membership', unit: 'KiB', value: kib(rss) },
    ...(heap === undefined ? [] : [{ name: 'connector heap per extra membership', unit: 'KiB', value: kib(heap) }]),
    {
      name: `memory per membership within ${MEMBERSHIP_TARGET_BYTES / KiB} KiB, ${heap === undefined ? 'RSS' : 'heap'} (1 yes, 0 no)`,
      unit: '',
      value: meets ? 1 : 0,
    },
    ...steps.figures,
  ];
  return {
    figures,
    details: {
      clients: size.clients,
      roomsPerClient: size.roomsPerClient,
      roomSize: size.roomSize,
      extraMemberships: extra,
      memoryAfterGc: allRooms.afterGc,
      joinDurationMs: Math.round(joined.durationMs),
      memoryInOneRoom: oneRoom,
      memoryInAllRooms: allRooms,
      ...steps.details,
    },
  };
}
