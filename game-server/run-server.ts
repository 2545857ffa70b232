import { Application } from './application';
import { ConfigError } from './config/config-error';
import type { ServerMap } from './config/server-info';
import { environmentName, findServer, loadServersConfig, serversConfigPath, type ServersRules } from './config/load-servers-config';
import { createLogger, type Logger } from './logger';
import { loadDotenv, loadRuntimeSettings } from './settings';

/** pm2 does not restart a process that exits with this code (see ecosystem.config.js): a bad config stays stopped. */
export const CONFIG_ERROR_EXIT = 78;

/** Which server this process is: `--id <id>` or SERVER_ID. */
export function serverIdFromArgs(argv = process.argv, env = process.env): string | undefined {
  const at = argv.indexOf('--id');
  return at >= 0 ? argv[at + 1] : env.SERVER_ID;
}

/**
 * The process entry: loads .env and the servers list (checked against the application's `rules`),
 * builds the Application for this id, lets the application code register on it, starts it, and stops
 * it cleanly on SIGINT/SIGTERM.
 */
export async function runServer(setup: (app: Application) => void, rules: ServersRules = {}): Promise<Application> {
  loadDotenv();
  const app = exitOnConfigError(() => {
    const file = serversConfigPath();
    const env = environmentName();
    const id = serverIdFromArgs();
    if (!id) throw new ConfigError(file, '', 'no server id: pass --id <id> or set SERVER_ID');
    const settings = loadRuntimeSettings();
    const servers = loadServersConfig(file, env, rules);
    const info = findServer(servers, id, file, env);
    const load = (): ServerMap => loadServersConfig(file, env, rules);
    const created = new Application(info, servers, settings, createLogger(id, settings.LOG_LEVEL, env), load);
    setup(created);
    return created;
  });

  try {
    await app.start();
  } catch (err) {
    app.log.fatal({ err }, 'cannot start');
    process.exit(1);
  }
  const { info } = app;
  app.log.info({ type: info.serverType, port: info.port, clientPort: info.clientPort, pid: process.pid }, 'started');

  stopOnSignals(app.log, () => app.stop());
  return app;
}

/** Runs a process's set-up; a ConfigError there prints one line and exits with CONFIG_ERROR_EXIT. */
export function exitOnConfigError<T>(setup: () => T): T {
  try {
    return setup();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`config error: ${err.message}\n`);
    process.exit(CONFIG_ERROR_EXIT);
  }
}

/** On the first SIGINT or SIGTERM: logs, runs `stop`, and exits 0 (1 if it failed). */
export function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}
