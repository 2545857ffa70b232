/**
 * `npm run status`: every server of config/servers.json, asked over internal RPC (with RPC_SECRET)
 * what it is doing. `npm run status -- --help` for the options.
 */
import path from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '../../game-server/config/config-error';
import { environmentName, loadServersConfig, serversConfigPath } from '../../game-server/config/load-servers-config';
import type { ServerInfo } from '../../game-server/config/server-info';
import type { RpcTls } from '../../game-server/rpc/rpc-tls';
import { loadDotenv, loadRuntimeSettings } from '../../game-server/settings';
import { collectClusterStatus } from './cluster-status';
import { formatRooms, formatServers } from './status-format';
import { EXIT_USAGE, operatorCommand } from './operator-command';
import { parseTimeout } from './parse-timeout';

/** Exit codes: 1 only with --check, when a server is not up; 2 for a bad command line or config. */
const EXIT_NOT_ALL_UP = 1;

interface CliOptions {
  rooms?: boolean;
  json?: boolean;
  check?: boolean;
  timeout: number;
  config?: string;
  env?: string;
}

const program = operatorCommand(
  new Command('status')
    .description('Shows every server of config/servers.json: state, pid, uptime, memory, connections and sessions, rooms and members.')
    .option('--rooms', 'also list each room, the chat server it lives on and its member count')
    .option('--json', 'print one JSON object (for scripts) instead of tables')
    .option('--check', 'exit with code 1 unless every server is up')
    .option('--timeout <ms>', 'how long each server gets to answer before it counts as down', parseTimeout, 3000),
);

/** The servers to ask and the secret to present; a bad servers list or .env ends the command here. */
function loadTargets(config: string, env: string): { servers: ServerInfo[]; secret: string; tls?: RpcTls } {
  loadDotenv();
  try {
    const { RPC_SECRET, rpcTls } = loadRuntimeSettings();
    return { secret: RPC_SECRET, tls: rpcTls, servers: [...loadServersConfig(config, env).values()].flat() };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`config error: ${err.message}\n`);
    process.exit(EXIT_USAGE);
  }
}

async function main(): Promise<void> {
  const options = program.parse().opts<CliOptions>();
  const config = path.resolve(options.config ?? serversConfigPath());
  const env = options.env ?? environmentName();
  const { servers, secret, tls } = loadTargets(config, env);

  const shownConfig = path.relative(process.cwd(), config).startsWith('..') ? config : path.relative(process.cwd(), config);
  const report = await collectClusterStatus(servers, {
    secret,
    tls,
    timeoutMs: options.timeout,
    name: 'status-cli',
    env,
    config: shownConfig,
    rooms: options.rooms === true,
  });

  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${formatServers(report)}\n${options.rooms ? `\n${formatRooms(report)}\n` : ''}`);
  process.exitCode = options.check && report.summary.up !== report.summary.servers ? EXIT_NOT_ALL_UP : 0;
}

main().catch((err: unknown) => {
  process.stderr.write(`status: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(EXIT_USAGE);
});
