import type { ServersRules } from '../game-server';

/**
 * What the chat app needs of config/servers.json beyond the runtime's own checks; every server and
 * ecosystem.config.js (so `npm start`) apply it. The gate may go without a `port`, as in Pomelo's
 * tutorial; a connector may not.
 */
export const chatServersRules: ServersRules = {
  portRequired: { connector: 'chat servers push messages to its users there' },
};
