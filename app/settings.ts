import { z } from 'zod';
import { envFlag, parseEnv } from '../game-server';
import { parseRedisUrl } from './servers/chat/redis-url';

const chatSchema = z.object({
  USERNAME_MAX_LENGTH: z.coerce.number().int().min(1).max(256).default(32),
  RID_MAX_LENGTH: z.coerce.number().int().min(1).max(256).default(64),
  MESSAGE_MAX_LENGTH: z.coerce.number().int().min(1).max(100_000).default(2000),
  HISTORY_SIZE: z.coerce.number().int().min(0).max(10_000).default(100),
  /** Where room logs live: this chat server's memory, or Redis (shared, survives any process). */
  HISTORY_STORE: z.enum(['memory', 'redis'], { error: 'HISTORY_STORE must be memory or redis' }).default('memory'),
  /** One server, the primary that Sentinels name, or a Redis Cluster (app/servers/chat/redis-url.ts). */
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .superRefine((url, ctx) => {
      try {
        parseRedisUrl(url);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  /**
   * With Sentinel, a send is answered only once this many replicas have its append (Redis's WAIT);
   * 0 answers as soon as the primary has it.
   */
  REDIS_MIN_REPLICAS: z.coerce.number().int().min(0).max(100).default(1),
  /** How long a send waits for those replicas before it answers 503 (and the client's retry settles it). */
  REDIS_WAIT_MS: z.coerce.number().int().min(1).max(60_000).default(100),
  /**
   * Where a chat server on the memory store writes its rooms when it stops cleanly and reads them back
   * when it starts (relative to the project root).
   */
  DATA_DIR: z.string().min(1).default('data'),
  /** Whether that file is fsynced before it replaces the last one: survives a power cut, not only a restart. */
  SNAPSHOT_FSYNC: envFlag.default('1').transform((v) => v === '1'),
  /** The largest rooms file written or read; rooms past it start with a new log. */
  SNAPSHOT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024 * 1024),
  /** The most rooms one connection may be in at once. */
  MAX_ROOMS_PER_CONNECTION: z.coerce.number().int().min(1).max(10_000).default(50),
  /** With AUTH_SECRET, the most connections one user may hold at once (without, one per name and room). */
  MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).max(1000).default(5),
  /** Rooms up to this many members get everyone's read markers (`onRead`); bigger ones only the user's own devices. */
  RECEIPTS_MAX_MEMBERS: z.coerce.number().int().min(0).max(100_000).default(100),
  /** Rooms past this many members send no `onAdd`/`onLeave`, and enter replies list only this many names. */
  PRESENCE_MAX_MEMBERS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  /** A Redis call that takes longer answers 503 instead of holding the room. */
  REDIS_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /**
   * When set, entering a room needs a token (JWT, HS256) signed with this secret. At least 32
   * characters: HS256 is only as strong as its key. Unset: the cluster is open (anyone picks any name).
   */
  AUTH_SECRET: z.string().min(32, 'AUTH_SECRET must be at least 32 characters').optional(),
});

export type ChatSettings = z.infer<typeof chatSchema>;

export const loadChatSettings = (env: NodeJS.ProcessEnv = process.env): ChatSettings => parseEnv(chatSchema, env);
