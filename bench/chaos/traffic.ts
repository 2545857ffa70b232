/** Verifying clients entered into rooms, and steady traffic from them: for the tests and the chaos harness. */
import { VerifyingClient, type VerifyingClientOptions } from './verifying-client';
import { sleep } from '../../game-server/sleep';

export interface SendRecord {
  rid: string;
  code: number;
  /** When the send started and how long its answer took, in ms. */
  at: number;
  ms: number;
}

/** The send time a traffic message carries as its last word (ms since the epoch). */
export function sentAt(text: string): number {
  return Number(text.slice(text.lastIndexOf(' ') + 1));
}

/**
 * Every client sends a numbered broadcast every `periodMs` until stopped, to each of its rooms in
 * turn; every send is recorded.
 */
export function startTraffic(clients: readonly VerifyingClient[], periodMs: number): { stop(): Promise<SendRecord[]> } {
  let running = true;
  const records: SendRecord[] = [];
  const loops = clients.map(async (client, i) => {
    await new Promise((r) => setTimeout(r, (i * periodMs) / clients.length));
    for (let n = 0; running; n++) {
      const at = Date.now();
      const rid = client.rids[n % client.rids.length]!;
      const code = await client.send(`${client.name}@${rid} #${n} ${at}`, rid);
      records.push({ rid, code, at, ms: Date.now() - at });
      await sleep(periodMs);
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return records;
    },
  };
}

/** Enters each of `names` into each of `rids`, one after another; returns the clients. */
export async function enterRooms(
  gate: { host: string; port: number },
  rids: readonly string[],
  names: readonly string[],
  options: VerifyingClientOptions = {},
): Promise<VerifyingClient[]> {
  const clients: VerifyingClient[] = [];
  for (const rid of rids) {
    for (const name of names) {
      const client = new VerifyingClient(gate, name, rid, options);
      await client.enter();
      clients.push(client);
    }
  }
  return clients;
}
