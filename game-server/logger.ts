import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** One JSON line per event, tagged with the server id; pretty (synchronously, no worker thread) in development. */
export function createLogger(serverId: string, level: string, env = process.env.NODE_ENV ?? 'development'): Logger {
  const options = { level, base: { server: serverId } };
  if (env === 'production') return pino(options);
  // Only `err` (a thrown Error, with its stack) gets lines of its own; an `error` string stays on the event's line.
  return pino(
    options,
    pretty({
      sync: true,
      ignore: 'pid,hostname,server',
      messageFormat: '[{server}] {msg}',
      singleLine: true,
      errorLikeObjectKeys: ['err'],
    }),
  );
}
