import type { Command } from 'commander';

/** The exit code of `npm run status` and `npm run admin` for a bad command line or servers list. */
export const EXIT_USAGE = 2;

/**
 * Makes `command` behave as the operator tools do: a usage error prints the hint and exits with
 * EXIT_USAGE; with `serversList`, it takes --config and --env (which servers list, which section).
 */
export function operatorCommand(command: Command, { serversList = true } = {}): Command {
  if (serversList) {
    command
      .option('--config <file>', 'servers list (default: $SERVERS_CONFIG, else config/servers.json)')
      .option('--env <name>', 'environment section of the servers list (default: $NODE_ENV, else development)');
  }
  return command
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) })
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE));
}
