/** The web server's process entry (pm2 app `web`): serves the browser client on WEB_HOST:WEB_PORT. */
import { createServer } from 'node:http';
import path from 'node:path';
import { environmentName, loadServersConfig, serversConfigPath } from '../game-server/config/load-servers-config';
import { createLogger } from '../game-server/logger';
import { listen } from '../game-server/net/listen';
import { projectRoot } from '../game-server/project-root';
import { exitOnConfigError, stopOnSignals } from '../game-server/run-server';
import { loadDotenv, loadRuntimeSettings } from '../game-server/settings';
import { loadChatSettings } from '../app/settings';
import { requestSchemas } from '../app/validation';
import { createApi } from './api/api-router';
import { ClusterRpc } from './api/cluster-rpc';
import { clusterMetricsHandler } from './cluster-metrics';
import { clientConfig, createWebApp } from './web-app';
import { loadWebSettings, webUrl } from './web-settings';

const SERVER_ID = 'web';

async function main(): Promise<void> {
  loadDotenv();
  const file = serversConfigPath();
  const env = environmentName();
  const [runtime, settings, chat] = exitOnConfigError(() => {
    const loaded = [loadRuntimeSettings(), loadWebSettings(), loadChatSettings()] as const;
    // Fail at start, not at the first page view, when the servers list has no gate for browsers.
    clientConfig(loadServersConfig(file, env));
    return loaded;
  });
  const log = createLogger(SERVER_ID, runtime.LOG_LEVEL, env);

  const servers = (): ReturnType<typeof loadServersConfig> => loadServersConfig(file, env);
  const rpc = new ClusterRpc({ secret: runtime.RPC_SECRET, tls: runtime.rpcTls, timeoutMs: runtime.RPC_TIMEOUT_MS, log, servers });
  const api = createApi({
    schemas: requestSchemas(chat),
    ...(chat.AUTH_SECRET !== undefined && { authSecret: chat.AUTH_SECRET }),
    devLogin: settings.AUTH_DEV_LOGIN,
    tokenTtlSeconds: settings.AUTH_TOKEN_TTL_SECONDS,
    ...(settings.API_KEY !== undefined && { apiKey: settings.API_KEY }),
    rpc,
    servers,
    rpcSecret: runtime.RPC_SECRET,
    rpcTls: runtime.rpcTls,
    log,
  });
  const http = createServer(
    createWebApp({
      publicDir: path.join(projectRoot(), 'dist/web-server/public'),
      servers,
      metrics: clusterMetricsHandler({ secret: runtime.RPC_SECRET, tls: runtime.rpcTls }),
      api,
    }),
  );
  try {
    await listen(http, settings.WEB_PORT, settings.WEB_HOST);
  } catch (err) {
    log.fatal({ err }, 'cannot start');
    process.exit(1);
  }
  log.info(
    {
      pid: process.pid,
      auth: chat.AUTH_SECRET !== undefined,
      devLogin: settings.AUTH_DEV_LOGIN && chat.AUTH_SECRET !== undefined,
      api: settings.API_KEY !== undefined,
    },
    `started: open ${webUrl(settings)}`,
  );

  stopOnSignals(
    log,
    () =>
      new Promise<void>((resolve) => {
        rpc.close();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  );
}

void main();
