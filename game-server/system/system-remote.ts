import type { Application } from '../application';

/**
 * Built-in remote on every server, reachable only over the authenticated RPC port: the operator's
 * tools (e.g. `npm run scale`) use it.
 */
export function systemRemote(app: Application) {
  return {
    /** Switches to the servers list now in config/servers.json; answers once the switch is done. */
    reload: () => app.reloadServers(),
    ping: () => ({ id: app.serverId, pid: process.pid }),
    /** The servers list this server runs with now (before a reload: the previous one). */
    servers: () => app.allServers(),
  };
}
