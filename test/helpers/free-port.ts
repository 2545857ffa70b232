export { freePorts, waitForPort, waitForPortClosed } from '../../game-server/net';
