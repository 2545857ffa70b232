/**
 * `npm run scale`: makes the running cluster match config/servers.json without restarting what
 * stays. Starts the servers that are new (on this host), tells every server to switch to the new
 * list (backends first, so rooms are ready for the connectors that move users to them), then stops
 * the servers that were removed.
 */
import { environmentName, loadServersConfig, serversConfigPath } from '../config/load-servers-config';
import { listeningPort, type ServerInfo } from '../config/server-info';
import { ConfigError } from '../config/config-error';
import { SYSTEM_REMOTE } from '../admin/admin-messages';
import { relayCandidates } from '../admin/relay-candidates';
import { createLogger } from '../logger';
import { waitForPort } from '../net/wait-for-port';
import { RpcClient } from '../rpc/rpc-client';
import { loadDotenv, loadRuntimeSettings } from '../settings';
import { ecosystemConfigProblem, pm2, pm2List } from './pm2-cli';

const START_TIMEOUT_MS = 20_000;
const RELOAD_TIMEOUT_MS = 5000;

async function main(): Promise<void> {
  const problem = await ecosystemConfigProblem();
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
  loadDotenv();
  const settings = loadRuntimeSettings();
  const file = serversConfigPath();
  const env = environmentName();
  const all = [...loadServersConfig(file, env).values()].flat();
  const host = process.env.CLUSTER_HOST;
  const mine = host ? all.filter((s) => s.host === host) : all;

  const running = (await pm2List()).filter((p) => p.status === 'online' || p.status === 'launching');
  const runningNames = new Set(running.map((p) => p.name));
  const wanted = new Set(mine.map((s) => s.id));
  const toStart = mine.filter((s) => !runningNames.has(s.id));

  if (toStart.length > 0) {
    await pm2('start', 'ecosystem.config.js', '--only', toStart.map((s) => s.id).join(','));
    await Promise.all(toStart.map((s) => waitForPort(s.host, listeningPort(s), START_TIMEOUT_MS)));
    console.log(`started: ${toStart.map((s) => s.id).join(', ')}`);
  }

  const rpc = new RpcClient({
    selfId: 'scale-cli',
    secret: settings.RPC_SECRET,
    tls: settings.rpcTls,
    timeoutMs: RELOAD_TIMEOUT_MS,
    log: createLogger('scale', 'warn'),
  });
  // The list the cluster runs with now names the servers being removed, with their addresses:
  // they switch too, so that nothing they still do routes by the old list.
  const previous = await currentList(
    rpc,
    all.filter((s) => runningNames.has(s.id)),
  );
  const byId = new Map([...previous, ...all].map((s) => [s.id, s]));
  const switching = [...byId.values()];
  // Ours to stop: servers of the list the cluster ran with that are gone from the file (pm2 apps
  // that are not servers of this cluster, like the web server, are left alone).
  const toStop = running.filter(
    (p) => !wanted.has(p.name) && previous.some((s) => s.id === p.name) && (!host || byId.get(p.name)?.host === host),
  );
  const reload = async (server: ServerInfo): Promise<string> => {
    try {
      if (server.port !== undefined) await rpc.call(server, { service: SYSTEM_REMOTE, method: 'reload', args: [] });
      else await reloadThroughPeers(rpc, server, switching);
      return server.id;
    } catch (err) {
      console.error(`warning: ${server.id} did not switch to the new list: ${(err as Error).message}`);
      return '';
    }
  };
  const backends = switching.filter((s) => !s.frontend);
  const frontends = switching.filter((s) => s.frontend);
  const reloaded = [...(await Promise.all(backends.map(reload))), ...(await Promise.all(frontends.map(reload)))].filter(Boolean);
  rpc.close();
  console.log(`switched to the new list: ${reloaded.join(', ')}`);

  for (const app of toStop) await pm2('delete', app.name);
  if (toStop.length > 0) console.log(`stopped: ${toStop.map((p) => p.name).join(', ')}`);
  const unchanged = running.filter((p) => wanted.has(p.name)).map((p) => `${p.name} (pid ${p.pid})`);
  console.log(`kept running: ${unchanged.join(', ') || 'none'}`);
}

/**
 * Switches a server without an internal port (a gate): the first server it has a link to passes the
 * reload on over that link (`__system.relay`).
 */
async function reloadThroughPeers(rpc: RpcClient, server: ServerInfo, servers: readonly ServerInfo[]): Promise<void> {
  const failures: string[] = [];
  for (const peer of relayCandidates(server, servers)) {
    try {
      await rpc.call(peer, { service: SYSTEM_REMOTE, method: 'relay', args: [server.id, 'reload', []] });
      return;
    } catch (err) {
      failures.push(`${peer.id}: ${(err as Error).message}`);
    }
  }
  throw new Error(`it has no internal port, and no server passed the reload on (${failures.join('; ') || 'no server to ask'})`);
}

/** The servers list as the first running server that answers sees it. */
async function currentList(rpc: RpcClient, candidates: ServerInfo[]): Promise<ServerInfo[]> {
  for (const server of candidates.filter((s) => s.port !== undefined)) {
    try {
      return (await rpc.call(server, { service: SYSTEM_REMOTE, method: 'servers', args: [] }, 2000)) as ServerInfo[];
    } catch {
      // try the next one
    }
  }
  return [];
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? `config error: ${err.message}` : `scale failed: ${(err as Error).message}`);
  process.exit(1);
});
