import { z } from 'zod';
import { ConfigError } from '../game-server/config/config-error';
import { envFlag, parseEnv } from '../game-server/settings';

const webSchema = z.object({
  NODE_ENV: z.string().default('development'),
  WEB_HOST: z.string().min(1).default('127.0.0.1'),
  WEB_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
  /** `POST /api/token` issues a token for any name (development only; default 1 there, else 0). */
  AUTH_DEV_LOGIN: envFlag.optional(),
  /** How long the tokens of `POST /api/token` last. */
  AUTH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(30 * 24 * 3600)
    .default(3600),
  /** The server API's key (`Authorization: Bearer <API_KEY>`); unset: the API answers 404. */
  API_KEY: z.string().min(16, 'API_KEY must be at least 16 characters').optional(),
});

export interface WebSettings {
  WEB_HOST: string;
  WEB_PORT: number;
  AUTH_DEV_LOGIN: boolean;
  AUTH_TOKEN_TTL_SECONDS: number;
  API_KEY?: string;
}

/** The web server's own settings (.env, real environment variables win); a bad value is a ConfigError. */
export function loadWebSettings(env: NodeJS.ProcessEnv = process.env): WebSettings {
  const { NODE_ENV, AUTH_DEV_LOGIN, ...rest } = parseEnv(webSchema, env);
  const devLogin = (AUTH_DEV_LOGIN ?? (NODE_ENV === 'development' ? '1' : '0')) === '1';
  // Anyone could be anyone: never in production, whatever the .env says.
  if (devLogin && NODE_ENV === 'production') {
    throw new ConfigError('.env', 'AUTH_DEV_LOGIN', 'not allowed in production (it issues a token for any name)');
  }
  return { ...rest, AUTH_DEV_LOGIN: devLogin };
}

/** The address people open in a browser. */
export function webUrl({ WEB_HOST, WEB_PORT }: Pick<WebSettings, 'WEB_HOST' | 'WEB_PORT'>): string {
  const host = WEB_HOST.includes(':') ? `[${WEB_HOST}]` : WEB_HOST;
  return `http://${host}:${WEB_PORT}/`;
}
