/** The web server's process entry (pm2 app `web`): serves the browser client on WEB_HOST:WEB_PORT. */
import { createServer } from 'node:http';
import path from 'node:path';
import { environmentName, loadServersConfig, serversConfigPath } from '../game-server/config/load-servers-config';
import { createLogger } from '../game-server/logger';
import { listen } from '../game-server/net';
import { projectRoot } from '../game-server/project-root';
import { exitOnConfigError, stopOnSignals } from '../game-server/run-server';
import { loadDotenv, loadRuntimeSettings } from '../game-server/settings';
import { clusterMetricsHandler } from './cluster-metrics';
import { clientConfig, createWebApp } from './web-app';
import { loadWebSettings, webUrl } from './web-settings';

const SERVER_ID = 'web';

async function main(): Promise<void> {
  loadDotenv();
  const file = serversConfigPath();
  const env = environmentName();
  const [runtime, settings] = exitOnConfigError(() => {
    const loaded = [loadRuntimeSettings(), loadWebSettings()] as const;
    // Fail at start, not at the first page view, when the servers list has no gate for browsers.
    clientConfig(loadServersConfig(file, env));
    return loaded;
  });
  const log = createLogger(SERVER_ID, runtime.LOG_LEVEL, env);

  const http = createServer(
    createWebApp({
      publicDir: path.join(projectRoot(), 'dist/web-server/public'),
      servers: () => loadServersConfig(file, env),
      metrics: clusterMetricsHandler({ secret: runtime.RPC_SECRET }),
    }),
  );
  try {
    await listen(http, settings.WEB_PORT, settings.WEB_HOST);
  } catch (err) {
    log.fatal({ err }, 'cannot start');
    process.exit(1);
  }
  log.info({ pid: process.pid }, `started: open ${webUrl(settings)}`);

  stopOnSignals(
    log,
    () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  );
}

void main();
