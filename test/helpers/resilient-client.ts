/** The verifying client of the chaos harness (bench/chaos), under the name the tests know it by. */
import type { VerifyingClient } from '../../bench/chaos/verifying-client';
import { waitUntil } from './wait';

export {
  VerifyingClient as ResilientClient,
  missingDeliveries,
  orderViolations,
  waitForDeliveries,
} from '../../bench/chaos/verifying-client';
export { enterRooms, startTraffic, type SendRecord } from '../../bench/chaos/traffic';

/** Waits until `n` more sends of `clients` were answered 200: traffic flows (10 s at most). */
export async function answered(clients: readonly VerifyingClient[], n: number): Promise<void> {
  const accepted = (): number => clients.reduce((sum, c) => sum + c.accepted.length, 0);
  const before = accepted();
  await waitUntil(() => accepted() >= before + n, 10_000, `${n} messages answered 200`);
}
