/**
 * Every message answered 200, checked against every connection of every member of its room: the
 * verdict's "lost", per room and per connection (a user on two devices must get it on both).
 */
import { sleep } from '../../game-server/sleep';
import type { AcceptedSend } from './room-track';
import { describeViolation, type VerifyingClient } from './verifying-client';

/** A message answered 200 in room `rid` that one connection in that room has not seen. */
export interface MissingDelivery extends AcceptedSend {
  /** The connection that misses it. */
  member: VerifyingClient;
  rid: string;
  /** The connection that sent it. */
  sender: string;
}

/** Every message delivered twice or out of order, on any connection. */
export function orderViolations(clients: readonly VerifyingClient[]): string[] {
  return clients.flatMap((c) => c.violations.map(describeViolation));
}

/** Every message answered 200 in each room that some connection in that room has not seen. */
export function missingMessages(clients: readonly VerifyingClient[]): MissingDelivery[] {
  const byRoom = new Map<string, VerifyingClient[]>();
  for (const client of clients) for (const rid of client.rids) byRoom.set(rid, [...(byRoom.get(rid) ?? []), client]);
  const missing: MissingDelivery[] = [];
  for (const sender of clients) {
    for (const [rid, track] of sender.tracks) {
      for (const send of track.accepted)
        for (const member of byRoom.get(rid)!)
          if (!member.track(rid).seen.has(send.text)) missing.push({ ...send, member, rid, sender: sender.name });
    }
  }
  return missing;
}

/** Every text answered 200 in each room that some connection in that room never saw. */
export function missingDeliveries(clients: readonly VerifyingClient[]): string[] {
  return missingMessages(clients).map((m) => `${m.member.name}@${m.rid} missed "${m.text}"`);
}

/** Waits until every connection has every message answered 200 in each of its rooms (or `timeoutMs`); returns what is still missing. */
export async function waitForDeliveries(clients: readonly VerifyingClient[], timeoutMs: number): Promise<string[]> {
  await Promise.all(clients.map((c) => c.settled()));
  const deadline = Date.now() + timeoutMs;
  let missing = missingDeliveries(clients);
  while (missing.length > 0 && Date.now() < deadline) {
    await sleep(50);
    missing = missingDeliveries(clients);
  }
  return missing;
}
