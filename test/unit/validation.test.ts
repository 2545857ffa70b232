import { AppError } from '../../game-server/errors';
import { loadChatSettings } from '../../app/settings';
import { MAX_MINUTES, REASON_MAX_LENGTH, parseRequest, requestSchemas, type RequestSchemas } from '../../app/validation';

// Short limits, so the edges are easy to write.
const schemas = requestSchemas(loadChatSettings({ USERNAME_MAX_LENGTH: '5', RID_MAX_LENGTH: '6', MESSAGE_MAX_LENGTH: '8' }));
type Name = keyof RequestSchemas;

/** The 400's reason for `body`, or a failure if it was accepted or failed otherwise. */
function reasonFor(name: Name, body: unknown): string {
  try {
    parseRequest(schemas[name], body);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(400);
    return (err as AppError).message;
  }
  throw new Error(`${name} accepted ${JSON.stringify(body)}`);
}

const x = (n: number): string => 'x'.repeat(n);

describe('accepted requests', () => {
  it.each<[Name, unknown, unknown?]>([
    ['queryEntry', { uid: 'ann' }],
    ['enter', { username: 'ann', rid: 'lobby' }],
    ['enter', { username: 'ann', rid: 'lobby', lastId: 0, lastSeq: 12, epoch: 'e1', token: 'jwt' }],
    // Five code points, though ten UTF-16 units: lengths are counted as a person counts them.
    ['enter', { username: '😀😀😀😀😀', rid: 'ünïcöd' }],
    ['history', { rid: 'lobby' }],
    ['history', { rid: 'lobby', afterSeq: 0, epoch: 'e', limit: 1 }],
    ['send', { content: 'hi', target: '*' }],
    ['send', { content: 'a\nb', target: 'bob', clientMsgId: x(64) }],
    ['send', { content: x(8), target: x(20) }],
    ['token', { username: 'ann' }],
    ['publish', { content: 'news' }],
    ['publish', { content: 'news', from: 'ops' }],
    ['kick', { username: 'bob' }],
    ['kick', { username: 'bob', reason: x(REASON_MAX_LENGTH) }],
    ['moderation', { verb: 'ban', rid: 'lobby', username: 'bob', minutes: MAX_MINUTES, reason: 'spam' }],
    ['moderation', { verb: 'unmute', rid: 'lobby', username: 'bob', minutes: 1 }],
  ])('%s accepts %j', (name, body) => {
    expect(parseRequest(schemas[name], body)).toEqual(body);
  });

  it('drops fields it does not know', () => {
    expect(parseRequest(schemas.send, { content: 'hi', target: '*', extra: 1 })).toEqual({ content: 'hi', target: '*' });
  });
});

describe('refused requests answer 400 with the first problem', () => {
  it.each<[Name, unknown, string]>([
    // visible text: uid, username, rid, reason
    ['queryEntry', {}, 'uid is required'],
    ['queryEntry', { uid: 7 }, 'uid must be a string'],
    ['queryEntry', { uid: '   ' }, 'uid must not be empty'],
    ['queryEntry', { uid: x(6) }, 'uid must be at most 5 characters'],
    ['queryEntry', { uid: 'a\u0000b' }, 'uid must not contain control characters'],
    ['queryEntry', { uid: 'a\u200bb' }, 'uid must not contain control characters'],
    ['enter', { rid: 'lobby' }, 'username is required'],
    ['enter', { username: 'ann' }, 'rid is required'],
    ['enter', { username: 'a*b', rid: 'lobby' }, 'username must not contain "*"'],
    ['enter', { username: '', rid: 'lobby' }, 'username must not be empty'],
    ['enter', { username: 'ann', rid: x(7) }, 'rid must be at most 6 characters'],
    ['enter', { username: 'ann', rid: 'a\nb' }, 'rid must not contain control characters'],
    ['enter', { username: 'ann', rid: null }, 'rid must be a string'],
    // positions
    ['enter', { username: 'ann', rid: 'r', lastId: '3' }, 'lastId must be a number'],
    ['enter', { username: 'ann', rid: 'r', lastId: 1.5 }, 'lastId must be a whole number'],
    ['enter', { username: 'ann', rid: 'r', lastSeq: -1 }, 'lastSeq must not be negative'],
    ['enter', { username: 'ann', rid: 'r', lastSeq: Number.NaN }, 'lastSeq must be a number'],
    ['enter', { username: 'ann', rid: 'r', epoch: '' }, 'epoch must not be empty'],
    ['enter', { username: 'ann', rid: 'r', epoch: x(65) }, 'epoch must be at most 64 characters'],
    ['enter', { username: 'ann', rid: 'r', epoch: 5 }, 'epoch must be a string'],
    ['enter', { username: 'ann', rid: 'r', token: 42 }, 'token must be a string'],
    ['enter', { username: 'ann', rid: 'r', token: x(8193) }, 'token must be at most 8192 characters'],
    ['history', {}, 'rid is required'],
    ['history', { rid: 'r', afterSeq: -2 }, 'afterSeq must not be negative'],
    ['history', { rid: 'r', limit: 0 }, 'limit must be at least 1'],
    ['history', { rid: 'r', limit: 2.5 }, 'limit must be a whole number'],
    ['history', { rid: 'r', limit: '10' }, 'limit must be a number'],
    // send
    ['send', { target: '*' }, 'content is required'],
    ['send', { content: 3, target: '*' }, 'content must be a string'],
    ['send', { content: ' \n ', target: '*' }, 'content must not be empty'],
    ['send', { content: x(9), target: '*' }, 'content must be at most 8 characters'],
    ['send', { content: 'hi' }, 'target is required'],
    ['send', { content: 'hi', target: '' }, 'target must not be empty'],
    ['send', { content: 'hi', target: x(21) }, 'target must be at most 20 characters'],
    ['send', { content: 'hi', target: '*', clientMsgId: '' }, 'clientMsgId must not be empty'],
    ['send', { content: 'hi', target: '*', clientMsgId: x(65) }, 'clientMsgId must be at most 64 characters'],
    ['send', { content: 'hi', target: '*', clientMsgId: 9 }, 'clientMsgId must be a string'],
    // the web server's bodies
    ['token', {}, 'username is required'],
    ['token', { username: 'a*' }, 'username must not contain "*"'],
    ['publish', { content: '' }, 'content must not be empty'],
    ['publish', { content: 'hi', from: x(6) }, 'username must be at most 5 characters'],
    ['kick', { username: 'bob', reason: x(REASON_MAX_LENGTH + 1) }, `reason must be at most ${REASON_MAX_LENGTH} characters`],
    ['kick', { username: 'bob', reason: 'a\u0007' }, 'reason must not contain control characters'],
    ['kick', { username: 'bob', reason: ' ' }, 'reason must not be empty'],
    // moderation
    ['moderation', { verb: 'slap', rid: 'r', username: 'bob' }, 'verb must be kick, ban, unban, mute or unmute'],
    // An enum reports a missing value as a wrong one: the reason still says what to send.
    ['moderation', { rid: 'r', username: 'bob' }, 'verb must be kick, ban, unban, mute or unmute'],
    ['moderation', { verb: 'ban', rid: 'r', username: 'bob', minutes: 0 }, 'minutes must be at least 1'],
    ['moderation', { verb: 'ban', rid: 'r', username: 'bob', minutes: MAX_MINUTES + 1 }, `minutes must be at most ${MAX_MINUTES} (a year)`],
    ['moderation', { verb: 'mute', rid: 'r', username: 'bob', minutes: 1.5 }, 'minutes must be a whole number'],
    ['moderation', { verb: 'mute', rid: 'r', username: 'bob', minutes: 'ten' }, 'minutes must be a number'],
  ])('%s refuses %j: "%s"', (name, body, reason) => {
    expect(reasonFor(name, body)).toBe(reason);
  });

  it.each<unknown>([null, undefined, 'text', 42, []])('refuses a body that is not an object (%j) with a reason', (body) => {
    expect(reasonFor('send', body)).not.toBe('');
  });

  it('says "required" only when the field is absent, not when it is present but wrong', () => {
    expect(reasonFor('send', { content: undefined, target: '*' })).toBe('content is required');
    expect(reasonFor('send', { content: null, target: '*' })).toBe('content must be a string');
  });
});
