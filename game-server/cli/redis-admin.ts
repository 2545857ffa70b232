import { Redis } from 'ioredis';
import { sleep } from '../sleep';

/** One command to the redis-server (or Sentinel) on a 127.0.0.1 port; its reply. */
export async function redisCommand(port: number, command: string, ...args: (string | number)[]): Promise<unknown> {
  const redis = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    // A server that accepts and never answers (frozen) fails the command instead of hanging the caller.
    commandTimeout: 2000,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    return await redis.call(command, ...args);
  } finally {
    redis.disconnect();
  }
}

/** The `field:value` lines of an INFO reply. */
export function infoField(info: unknown, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(String(info))?.[1]?.trim();
}

/** Resolves once `condition` holds (a failing check counts as not yet); throws "<what> within <ms> ms" after the deadline. */
export async function pollUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await sleep(50);
  }
}
