/**
 * `npm run admin -- <verb> <username> --room <rid> ...`: kick, ban, unban, mute, unmute a user in a
 * room, on the room's chat server over internal RPC (with RPC_SECRET). `npm run admin -- --help`.
 */
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { askRemote } from '../../game-server/admin/admin-client';
import { ConfigError } from '../../game-server/config/config-error';
import { environmentName, loadServersConfig, serversConfigPath } from '../../game-server/config/load-servers-config';
import type { ServerInfo } from '../../game-server/config/server-info';
import type { RpcTls } from '../../game-server/rpc/rpc-tls';
import { loadDotenv, loadRuntimeSettings } from '../../game-server/settings';
import { roomServer } from '../routes/room-server';
import { Remotes, type ModerationAction, type ModerationRemote, type ModerationResult, type ModerationVerb } from '../protocol';
import { loadChatSettings } from '../settings';
import { MAX_MINUTES, parseRequest, requestSchemas } from '../validation';
import { EXIT_USAGE, operatorCommand } from './operator-command';
import { parseTimeout } from './parse-timeout';

/** Exit codes: 1 the cluster refused (e.g. no such user in the room), 2 a bad command line or config, 3 the room's chat server did not answer. */
const EXIT_REFUSED = 1;
const EXIT_UNREACHABLE = 3;

interface CommonOptions {
  room: string;
  reason?: string;
  minutes?: number;
  json?: boolean;
  timeout: number;
  config?: string;
  env?: string;
}

function parseMinutes(value: string): number {
  const minutes = Number(value);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES)
    throw new InvalidArgumentError(`give whole minutes, 1 to ${MAX_MINUTES}.`);
  return minutes;
}

function fail(code: number, message: string): never {
  process.stderr.write(`admin: ${message}\n`);
  process.exit(code);
}

/** What happened, in one line. */
export function describe(result: ModerationResult): string {
  const { verb, username, rid, kicked, until, lifted } = result;
  const untilText = until === undefined ? '' : ` until ${new Date(until).toISOString()}`;
  switch (verb) {
    case 'kick':
      return `kicked ${username} from room ${rid}`;
    case 'ban':
      return `banned ${username} from room ${rid}${untilText}${kicked ? ' (was in the room: disconnected)' : ''}`;
    case 'mute':
      return `muted ${username} in room ${rid}${untilText}`;
    case 'unban':
      return lifted ? `unbanned ${username} in room ${rid}` : `${username} was not banned in room ${rid}`;
    case 'unmute':
      return lifted ? `unmuted ${username} in room ${rid}` : `${username} was not muted in room ${rid}`;
  }
}

async function run(verb: ModerationVerb, username: string, options: CommonOptions): Promise<void> {
  loadDotenv();
  let servers: ServerInfo[];
  let secret: string;
  let tls: RpcTls | undefined;
  let action: ModerationAction;
  try {
    ({ RPC_SECRET: secret, rpcTls: tls } = loadRuntimeSettings());
    const config = path.resolve(options.config ?? serversConfigPath());
    servers = [...loadServersConfig(config, options.env ?? environmentName()).values()].flat();
    const body = {
      verb,
      rid: options.room,
      username,
      ...(options.minutes !== undefined && { minutes: options.minutes }),
      ...(options.reason !== undefined && { reason: options.reason }),
    };
    action = parseRequest(requestSchemas(loadChatSettings()).moderation, body);
  } catch (err) {
    if (err instanceof ConfigError) fail(EXIT_USAGE, `config error: ${err.message}`);
    fail(EXIT_USAGE, (err as Error).message);
  }
  const chats = servers.filter((s) => s.serverType === 'chat');
  if (chats.length === 0) fail(EXIT_USAGE, 'the servers list has no chat server');
  // The room's chat server; if the room moved, it passes the action on to where the room is now.
  const owner = roomServer(action.rid, chats);
  const method: keyof ModerationRemote = 'moderate';
  const answer = await askRemote<ModerationResult>(owner, Remotes.moderation.name, method, [action], {
    secret,
    tls,
    timeoutMs: options.timeout,
    name: 'admin-cli',
  });
  if (!answer.ok) {
    if (answer.code !== undefined && answer.code < 500) fail(EXIT_REFUSED, `${verb} refused: ${answer.error}`);
    fail(EXIT_UNREACHABLE, `${owner.id} (${owner.host}:${owner.port}), the chat server of room ${action.rid}: ${answer.error}`);
  }
  process.stdout.write(options.json ? `${JSON.stringify(answer.value)}\n` : `${describe(answer.value)}\n`);
}

const program = operatorCommand(
  new Command('admin').description("Moderates a room: kick, ban, unban, mute, unmute a user (on the room's chat server, with RPC_SECRET)."),
  { serversList: false },
);

const VERBS: { verb: ModerationVerb; summary: string; minutes: boolean; reason: boolean }[] = [
  { verb: 'kick', summary: 'disconnect the user from the room (onKick to them, onLeave to the room)', minutes: false, reason: true },
  { verb: 'ban', summary: 'kick, and refuse entering the room (403) for --minutes', minutes: true, reason: true },
  { verb: 'unban', summary: 'lift a ban', minutes: false, reason: false },
  { verb: 'mute', summary: "refuse the user's messages in the room (403) for --minutes", minutes: true, reason: true },
  { verb: 'unmute', summary: 'lift a mute', minutes: false, reason: false },
];

for (const { verb, summary, minutes, reason } of VERBS) {
  const command = operatorCommand(
    program
      .command(`${verb} <username>`)
      .description(summary)
      .requiredOption('--room <rid>', 'the room')
      .option('--json', 'print the result as one JSON object')
      .option('--timeout <ms>', 'how long the chat server gets to answer', parseTimeout, 3000),
  );
  if (minutes) command.requiredOption('--minutes <n>', 'for how long', parseMinutes);
  if (reason) command.option('--reason <text>', 'told to the user');
  command.action((username: string, options: CommonOptions) => run(verb, username, options));
}

if (require.main === module) {
  program.parseAsync().catch((err: unknown) => {
    process.stderr.write(`admin: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(EXIT_USAGE);
  });
}
