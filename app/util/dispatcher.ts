/** Kept only for room-locator, session-resync and gate-handler, which are being reshaped elsewhere: import from game-server. */
export { dispatch } from '../../game-server/router/dispatch';
