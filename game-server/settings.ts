import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';
import { ConfigError } from './config/config-error';
import { projectRoot } from './project-root';
import { loadRpcTls, type RpcTls } from './rpc/rpc-tls';

/** The placeholder in .env.example; refused in production. */
export const DEFAULT_RPC_SECRET = 'change-me-in-production';

const runtimeSchema = z.object({
  NODE_ENV: z.string().default('development'),
  RPC_SECRET: z.string().min(1).default(DEFAULT_RPC_SECRET),
  RPC_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(3000),
  // The internal links' heartbeat (socket.io's own defaults): a peer that stops answering is taken for down after both.
  RPC_PING_INTERVAL_MS: z.coerce.number().int().min(100).max(300_000).default(25_000),
  RPC_PING_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(20_000),
  // Mutual TLS on the internal links: file paths, all three or none (see docs/internal-tls.md).
  RPC_TLS_CERT: z.string().optional(),
  RPC_TLS_KEY: z.string().optional(),
  RPC_TLS_CA: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CLIENT_MAX_FRAME_BYTES: z.coerce.number().int().min(1024).default(65_536),
  CLIENT_MAX_BUFFERED_BYTES: z.coerce.number().int().min(16_384).default(1_048_576),
  RATE_LIMIT_PER_SECOND: z.coerce.number().min(0.1).default(20),
  RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(40),
  CORS_ORIGIN: z.string().default('*'),
  // A client that vanished without closing (network gone) is dropped after interval + timeout, which
  // frees its name in the room; socket.io's own 25 s + 20 s kept it for up to 45 s.
  CLIENT_PING_INTERVAL_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  CLIENT_PING_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(5_000),
  // One client request in this many carries its times to /metrics' message_hop_seconds (0: none).
  HOP_SAMPLE_EVERY: z.coerce.number().int().min(0).max(1_000_000).default(10),
});

export type RuntimeSettings = z.infer<typeof runtimeSchema> & {
  /** The files of RPC_TLS_*, read once at start; none: the internal links are plain ws. */
  readonly rpcTls?: RpcTls;
};

let loaded = false;

/** Loads `.env` from the project root once (a missing file is fine); real env vars win. */
export function loadDotenv(): void {
  if (loaded) return;
  loaded = true;
  dotenv.config({ path: process.env.DOTENV_PATH ?? path.join(projectRoot(), '.env'), quiet: true });
}

/** An on/off setting, written 1 or 0 as in `.env.example`. */
export const envFlag = z.enum(['0', '1'], { error: 'must be 0 or 1' });

/** Parses settings with a schema; a bad value is a ConfigError naming the variable. */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const parsed = schema.safeParse(blankToUndefined(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError('.env', issue.path.map(String).join('.'), issue.message);
  }
  return parsed.data;
}

export function loadRuntimeSettings(env: NodeJS.ProcessEnv = process.env): RuntimeSettings {
  const settings = parseEnv(runtimeSchema, env);
  if (settings.NODE_ENV === 'production' && settings.RPC_SECRET === DEFAULT_RPC_SECRET) {
    throw new ConfigError('.env', 'RPC_SECRET', 'set a secret of your own in production (the default is public)');
  }
  const rpcTls = loadRpcTls(settings, projectRoot());
  return rpcTls ? { ...settings, rpcTls } : settings;
}

// `FOO=` in .env means "use the default", not "the empty string".
function blankToUndefined(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) out[key] = value === '' ? undefined : value;
  return out;
}
