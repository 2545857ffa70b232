import type { ServerInfo } from '../../game-server/config/server-info';
import { Moved } from '../../game-server/contract/moved';
import { AppError, Code } from '../../game-server/errors';
import type { Session } from '../../game-server/frontend/session';
import { Registry, type Handler } from '../../game-server/handler-registry';
import { createLogger } from '../../game-server/logger';
import { backendForward } from '../../game-server/pipeline/backend-forward';
import { bodyObjectStep } from '../../game-server/pipeline/body-object-step';
import { errorStep } from '../../game-server/pipeline/error-step';
import { handlerRunner } from '../../game-server/pipeline/handler-runner';
import { localOrForward } from '../../game-server/pipeline/local-or-forward';
import { meterStep } from '../../game-server/pipeline/meter-step';
import { movedStep } from '../../game-server/pipeline/moved-step';
import { pipeline, type ClientRequest, type Step } from '../../game-server/pipeline/pipeline';
import { rateLimitStep } from '../../game-server/pipeline/rate-limit-step';
import { requestPaths } from '../../game-server/pipeline/request-paths';
import { routeAllowStep } from '../../game-server/pipeline/route-allow-step';
import { unansweredStep } from '../../game-server/pipeline/unanswered-step';
import { performance } from 'node:perf_hooks';
import type { ClientResponse, HopTrace } from '../../game-server/rpc/rpc-messages';

const session: Session = { id: 's1', uid: 'ann*lobby', frontendId: 'connector-server-1', settings: { rid: 'lobby' } };
const request = (fields: Partial<ClientRequest> = {}): ClientRequest => ({
  route: 'chat.chatHandler.send',
  body: { content: 'hi' },
  session,
  answered: true,
  redirected: false,
  ...fields,
});
const ok = async (): Promise<ClientResponse> => ({ code: Code.OK });
/** Runs one step in front of an end that answers 200. */
const run = (step: Step, fields: Partial<ClientRequest> = {}): Promise<ClientResponse> => pipeline([step], ok)(request(fields));

describe('a request pipeline', () => {
  it('runs its steps in order, and a step may answer without going further', async () => {
    const seen: string[] = [];
    const mark =
      (name: string): Step =>
      async (_request, next) => {
        seen.push(name);
        return next();
      };
    const stop: Step = async () => ({ code: Code.FORBIDDEN, error: 'stopped' });
    expect(await pipeline([mark('a'), mark('b')], ok)(request())).toEqual({ code: 200 });
    expect(await pipeline([mark('c'), stop, mark('never')], ok)(request())).toEqual({ code: 403, error: 'stopped' });
    expect(seen).toEqual(['a', 'b', 'c']);
  });
});

describe('the rate limit step', () => {
  it('answers 429 past the burst, for each session on its own', async () => {
    const step = rateLimitStep(1, 2);
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await run(step)).code);
    expect(codes).toEqual([200, 200, 429]);
    expect(await run(step, { session: { ...session, id: 's2' } })).toEqual({ code: 200 });
  });
});

describe('the unanswered step', () => {
  it('drops a request without an acknowledgement before it runs', async () => {
    const end = jest.fn(ok);
    await pipeline([unansweredStep], end)(request({ answered: false }));
    expect(end).not.toHaveBeenCalled();
    expect(await run(unansweredStep)).toEqual({ code: 200 });
  });
});

describe('the meter step', () => {
  it('counts each request by route, and routes clients may not use as other', async () => {
    const counted: string[] = [];
    const step = meterStep({ messageIn: (route) => counted.push(route) }, () => new Set(['chat.chatHandler.send']));
    await run(step);
    await run(step, { route: 'chat.chatRemote.takeRoom' });
    expect(counted).toEqual(['chat.chatHandler.send', 'other']);
  });
});

describe('the error step', () => {
  it('turns an AppError into its code and reason, and any other fault into a logged 500 without its text', async () => {
    const codes: number[] = [];
    const log = createLogger('test', 'silent');
    const logged = jest.spyOn(log, 'error');
    const failing = (err: Error) => pipeline([errorStep(log, { error: (code) => codes.push(code) })], () => Promise.reject(err));
    expect(await failing(new AppError(Code.CONFLICT, 'taken'))(request())).toEqual({ code: 409, error: 'taken' });
    expect(logged).not.toHaveBeenCalled();
    expect(await failing(new Error('secret detail'))(request())).toEqual({ code: 500, error: 'internal server error' });
    expect(logged).toHaveBeenCalledTimes(1);
    expect(codes).toEqual([409, 500]);
  });
});

describe('the route allow-list step', () => {
  const step = routeAllowStep(() => new Set(['chat.chatHandler.send']));

  it('lets a listed route through', async () => {
    expect(await run(step)).toEqual({ code: 200 });
  });

  it.each([['chat.chatRemote.takeRoom'], ['chat.chatHandler'], ['__proto__.x.y'], ['a.b.c.d'], [42]])(
    'answers 404 to %p',
    async (route) => {
      await expect(run(step, { route: route as string })).rejects.toMatchObject({ code: 404, message: 'unknown route' });
    },
  );

  it('lets any well-formed route through when the application lists none', async () => {
    expect(
      await run(
        routeAllowStep(() => undefined),
        { route: 'x.y.z' },
      ),
    ).toEqual({ code: 200 });
  });
});

describe('the body step', () => {
  it.each([[null], [[1]], ['text'], [undefined]])('answers 400 to a body of %p', async (body) => {
    await expect(run(bodyObjectStep, { body })).rejects.toMatchObject({ code: 400, message: 'the request must be an object' });
  });
});

describe('the moved step', () => {
  it('passes a request whose state moved on once, marked redirected, and answers with that reply', async () => {
    const forward = jest.fn(async (serverId: string) => ({ code: Code.OK, from: serverId }));
    const moved = pipeline([movedStep(forward)], () => Promise.reject(new Moved('chat-server-2')));
    expect(await moved(request())).toEqual({ code: 200, from: 'chat-server-2' });
    expect(forward).toHaveBeenCalledWith('chat-server-2', expect.objectContaining({ redirected: true }));
  });

  it('answers 503 when it moved again after being passed on, and lets other errors through', async () => {
    const forward = jest.fn(ok);
    const moved = pipeline([movedStep(forward)], () => Promise.reject(new Moved('chat-server-2')));
    await expect(moved(request({ redirected: true }))).rejects.toMatchObject({ code: 503 });
    const failing = pipeline([movedStep(forward)], () => Promise.reject(new AppError(Code.FORBIDDEN, 'no')));
    await expect(failing(request())).rejects.toMatchObject({ code: 403 });
    expect(forward).not.toHaveBeenCalled();
  });
});

describe('local or forward', () => {
  it('runs a route of this server type here and forwards any other', async () => {
    const dispatch = localOrForward(
      'connector',
      (route) => route === 'chat.chatHandler.join',
      async () => ({ code: Code.OK, where: 'here' }),
      async () => ({ code: Code.OK, where: 'there' }),
    );
    expect(await dispatch(request({ route: 'connector.entryHandler.enter' }))).toMatchObject({ where: 'here' });
    expect(await dispatch(request({ route: 'chat.chatHandler.join' }))).toMatchObject({ where: 'here' });
    expect(await dispatch(request())).toMatchObject({ where: 'there' });
  });
});

describe('the backend forward', () => {
  const chat: ServerInfo = { id: 'chat-server-1', serverType: 'chat', host: '127.0.0.1', port: 6050 };
  const connector: ServerInfo = { id: 'connector-server-1', serverType: 'connector', host: '127.0.0.1', frontend: true };
  const servers = new Map([
    ['chat', [chat]],
    ['connector', [connector]],
  ]);
  const forwarded: unknown[] = [];
  const forward = backendForward({
    serversOfType: (type) => servers.get(type),
    pick: (_type, _session) => chat,
    check: async ({ body }) => {
      if ((body as { refuse?: boolean }).refuse) throw new AppError(Code.FORBIDDEN, 'refused here');
    },
    forward: async (server, message) => {
      forwarded.push({ to: server.id, ...message });
      return { code: Code.OK };
    },
  });

  it('sends the route, body and a copy of the session to the server the route function picks', async () => {
    expect(await forward(request())).toEqual({ code: 200 });
    expect(forwarded).toEqual([{ to: 'chat-server-1', route: 'chat.chatHandler.send', body: { content: 'hi' }, session }]);
  });

  it("carries a traced request's trace, and none for the others", async () => {
    forwarded.length = 0;
    const trace = { frontendId: 'connector-server-1', receivedAt: 1234.5 };
    await forward(request({ trace }));
    await forward(request());
    expect(forwarded).toEqual([expect.objectContaining({ trace }), expect.not.objectContaining({ trace: expect.anything() })]);
  });

  it('answers a request its check refuses on the frontend, without forwarding it', async () => {
    forwarded.length = 0;
    await expect(forward(request({ body: { content: 'hi', refuse: true } }))).rejects.toMatchObject({ code: 403, message: 'refused here' });
    expect(forwarded).toEqual([]);
  });

  it('answers 404 for a server type the list does not have, or a frontend type', async () => {
    await expect(forward(request({ route: 'nope.x.y' }))).rejects.toMatchObject({ code: 404 });
    await expect(forward(request({ route: 'connector.entryHandler.enter' }))).rejects.toMatchObject({ code: 404 });
  });
});

describe('the handler runner', () => {
  it('answers 200 with the handler fields, passing how the request came; an unknown handler is 404', async () => {
    const handlers = new Registry<Handler>('route');
    handlers.register('chatHandler', { send: async (body, _session, context) => ({ echo: body, redirected: context.redirected }) });
    const runHandler = handlerRunner(handlers, { hop: () => undefined });
    expect(await runHandler(request({ redirected: true }))).toEqual({ code: 200, echo: { content: 'hi' }, redirected: true });
    await expect(runHandler(request({ route: 'chat.chatHandler.nope' }))).rejects.toMatchObject({ code: 404 });
  });

  it("gives a traced request's handler its trace with the start time, and observes the hop from the frontend's receipt", async () => {
    const handlers = new Registry<Handler>('route');
    handlers.register('chatHandler', { send: async (_body, _session, context) => ({ trace: context.trace }) });
    const hops: [string, number, number][] = [];
    const runHandler = handlerRunner(handlers, { hop: (hop, from, to) => void hops.push([hop, from, to]) });
    const receivedAt = performance.timeOrigin + performance.now();
    const { trace } = (await runHandler(request({ trace: { frontendId: 'connector-1', receivedAt } }))) as unknown as { trace: HopTrace };
    expect(trace).toEqual({ frontendId: 'connector-1', receivedAt, handledAt: expect.any(Number) });
    expect(trace.handledAt).toBeGreaterThanOrEqual(receivedAt);
    expect(hops).toEqual([['receipt_to_handler', receivedAt, trace.handledAt]]);
    // An untraced request has none, and costs no observation.
    expect(await runHandler(request({}))).toEqual({ code: 200, trace: undefined });
    expect(hops).toHaveLength(1);
  });
});

describe('the request paths of a server', () => {
  it('limit before they count, count before they refuse, and forward what is not their own type', async () => {
    const counted: string[] = [];
    const errors: number[] = [];
    const handlers = new Registry<Handler>('route');
    handlers.register('entryHandler', { enter: async () => ({ users: [] }) });
    const { client } = requestPaths({
      serverType: 'connector',
      settings: { RATE_LIMIT_PER_SECOND: 1, RATE_LIMIT_BURST: 3 },
      log: createLogger('test', 'silent'),
      metrics: { messageIn: (route) => counted.push(route), error: (code) => errors.push(code), hop: () => undefined },
      handlers,
      allowed: () => new Set(['connector.entryHandler.enter', 'chat.chatHandler.send']),
      backends: {
        serversOfType: () => [],
        pick: () => {
          throw new AppError(Code.UNAVAILABLE, 'no chat server is available');
        },
        check: async () => undefined,
        forward: ok,
      },
      byId: () => undefined,
    });
    expect(await client(request({ route: 'connector.entryHandler.enter' }))).toEqual({ code: 200, users: [] });
    expect(await client(request({ route: 'nope.x.y' }))).toEqual({ code: 404, error: 'unknown route' });
    expect(await client(request())).toEqual({ code: 503, error: 'no chat server is available' });
    expect(await client(request())).toEqual({ code: 429, error: 'too many requests, slow down' });
    expect(counted).toEqual(['connector.entryHandler.enter', 'other', 'chat.chatHandler.send']);
    expect(errors).toEqual([404, 503]);
  });
});
