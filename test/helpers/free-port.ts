export { freePorts } from '../../game-server/free-ports';
export { waitForPort, waitForPortClosed } from '../../game-server/net/wait-for-port';
