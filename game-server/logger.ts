import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** One JSON line per event, tagged with the server id; pretty (synchronously, no worker thread) in development. */
export function createLogger(serverId: string, level: string, env = process.env.NODE_ENV ?? 'development'): Logger {
  const options = { level, base: { server: serverId } };
  if (env === 'production') return pino(options);
  return pino(options, pretty({ sync: true, ignore: 'pid,hostname,server', messageFormat: '[{server}] {msg}', singleLine: true }));
}
