import { z } from 'zod';
import { parseEnv } from '../game-server';

const chatSchema = z.object({
  USERNAME_MAX_LENGTH: z.coerce.number().int().min(1).max(256).default(32),
  RID_MAX_LENGTH: z.coerce.number().int().min(1).max(256).default(64),
  MESSAGE_MAX_LENGTH: z.coerce.number().int().min(1).max(100_000).default(2000),
  HISTORY_SIZE: z.coerce.number().int().min(0).max(10_000).default(100),
});

export type ChatSettings = z.infer<typeof chatSchema>;

export const loadChatSettings = (env: NodeJS.ProcessEnv = process.env): ChatSettings => parseEnv(chatSchema, env);
