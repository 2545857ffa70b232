import { z } from 'zod';
import { parseEnv } from '../game-server/settings';

const webSchema = z.object({
  WEB_HOST: z.string().min(1).default('127.0.0.1'),
  WEB_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
});

export type WebSettings = z.infer<typeof webSchema>;

/** The web server's own settings (.env, real environment variables win); a bad value is a ConfigError. */
export function loadWebSettings(env: NodeJS.ProcessEnv = process.env): WebSettings {
  return parseEnv(webSchema, env);
}

/** The address people open in a browser. */
export function webUrl({ WEB_HOST, WEB_PORT }: WebSettings): string {
  const host = WEB_HOST.includes(':') ? `[${WEB_HOST}]` : WEB_HOST;
  return `http://${host}:${WEB_PORT}/`;
}
