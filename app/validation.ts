import { z } from 'zod';
import { AppError, Code } from '../game-server';
import type { ChatSettings } from './settings';

/** Counted in characters (code points), as a person counts them, not UTF-16 units. */
const length = (value: string): number => [...value].length;

// Control, format, unassigned and private-use characters: not "visible".
const INVISIBLE = /[\p{C}]/u;

function visibleText(label: string, max: number) {
  return z
    .string({ error: `${label} must be a string` })
    .refine((v) => v.trim().length > 0, `${label} must not be empty`)
    .refine((v) => length(v) <= max, `${label} must be at most ${max} characters`)
    .refine((v) => !INVISIBLE.test(v), `${label} must not contain control characters`);
}

/** A kick's or ban's reason, shown to the user. */
export const REASON_MAX_LENGTH = 200;
/** The longest ban or mute: a year. */
export const MAX_MINUTES = 525_600;

/** A message id or seq: a whole number, 0 or more. */
const seqNumber = (label: string) =>
  z
    .number({ error: `${label} must be a number` })
    .int(`${label} must be a whole number`)
    .min(0, `${label} must not be negative`);

/** The request schemas, with lengths from settings. */
export function requestSchemas(settings: ChatSettings) {
  const username = visibleText('username', settings.USERNAME_MAX_LENGTH).refine((v) => !v.includes('*'), 'username must not contain "*"');
  const rid = visibleText('rid', settings.RID_MAX_LENGTH);
  const epoch = z
    .string({ error: 'epoch must be a string' })
    .min(1, 'epoch must not be empty')
    .max(64, 'epoch must be at most 64 characters');
  const content = z
    .string({ error: 'content must be a string' })
    .refine((v) => v.trim().length > 0, 'content must not be empty')
    .refine((v) => length(v) <= settings.MESSAGE_MAX_LENGTH, `content must be at most ${settings.MESSAGE_MAX_LENGTH} characters`);
  const reason = visibleText('reason', REASON_MAX_LENGTH);
  const token = z.string({ error: 'token must be a string' }).max(8192, 'token must be at most 8192 characters');
  return {
    queryEntry: z.object({ uid: visibleText('uid', settings.USERNAME_MAX_LENGTH) }),
    enter: z.object({
      username,
      rid,
      lastId: seqNumber('lastId').optional(),
      lastSeq: seqNumber('lastSeq').optional(),
      epoch: epoch.optional(),
      token: token.optional(),
    }),
    refresh: z.object({ token }),
    rooms: z.object({}),
    join: z.object({ rid, lastSeq: seqNumber('lastSeq').optional(), epoch: epoch.optional() }),
    leave: z.object({ rid }),
    typing: z.object({ rid, typing: z.boolean({ error: 'typing must be true or false' }) }),
    read: z.object({ rid, seq: seqNumber('seq') }),
    history: z.object({
      rid,
      afterSeq: seqNumber('afterSeq').optional(),
      epoch: epoch.optional(),
      limit: z
        .number({ error: 'limit must be a number' })
        .int('limit must be a whole number')
        .min(1, 'limit must be at least 1')
        .optional(),
    }),
    send: z.object({
      content,
      rid: rid.optional(),
      target: z
        .string({ error: 'target must be a string' })
        .min(1, 'target must not be empty')
        .max(settings.USERNAME_MAX_LENGTH * 4, `target must be at most ${settings.USERNAME_MAX_LENGTH * 4} characters`),
      clientMsgId: z
        .string({ error: 'clientMsgId must be a string' })
        .min(1, 'clientMsgId must not be empty')
        .max(64, 'clientMsgId must be at most 64 characters')
        .optional(),
    }),
    /** `POST /api/token`. */
    token: z.object({ username }),
    /** `POST /api/rooms/:rid/messages`. */
    publish: z.object({ content, from: username.optional() }),
    /** `POST /api/rooms/:rid/kick`. */
    kick: z.object({ username, reason: reason.optional() }),
    /** `npm run admin` and the server API, checked again by the chat server. */
    moderation: z.object({
      verb: z.enum(['kick', 'ban', 'unban', 'mute', 'unmute'], { error: 'verb must be kick, ban, unban, mute or unmute' }),
      rid,
      username,
      minutes: z
        .number({ error: 'minutes must be a number' })
        .int('minutes must be a whole number')
        .min(1, 'minutes must be at least 1')
        .max(MAX_MINUTES, `minutes must be at most ${MAX_MINUTES} (a year)`)
        .optional(),
      reason: reason.optional(),
    }),
  };
}

export type RequestSchemas = ReturnType<typeof requestSchemas>;

/** Parses a request body or throws 400 with the first problem as the reason. */
export function parseRequest<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  // zod does not report the input by default: whether the field was there is read from the body.
  const given = issue.path.reduce<unknown>(
    (value, key) => (typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined),
    body,
  );
  const reason =
    issue.code === 'invalid_type' && issue.path.length > 0 && given === undefined ? `${issue.path.join('.')} is required` : issue.message;
  throw new AppError(Code.BAD_REQUEST, reason);
}
