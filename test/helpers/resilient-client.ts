/** The verifying client of the chaos harness (bench/chaos), under the name the tests know it by. */
export {
  VerifyingClient as ResilientClient,
  missingDeliveries,
  orderViolations,
  waitForDeliveries,
} from '../../bench/chaos/verifying-client';
export { enterRooms, startTraffic, type SendRecord } from '../../bench/chaos/traffic';
