/**
 * The room-log follower lives in the client library (client/src/room-log-follower.ts); this path is
 * kept for the browser client, the tests and the chaos harness, which import it from here.
 */
export { RoomLogFollower, type FollowerIO } from '../../client/src/room-log-follower';
export { RoomFollowers } from '../../client/src/room-followers';
