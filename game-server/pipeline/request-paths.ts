import type { ServerInfo } from '../config/server-info';
import { AppError, Code } from '../errors';
import type { Handler, Registry } from '../handler-registry';
import type { Logger } from '../logger';
import type { ServerMetrics } from '../metrics/server-metrics';
import type { RuntimeSettings } from '../settings';
import { backendForward, type BackendLinks } from './backend-forward';
import { bodyObjectStep } from './body-object-step';
import { errorStep } from './error-step';
import { handlerRunner } from './handler-runner';
import { localOrForward } from './local-or-forward';
import { meterStep } from './meter-step';
import { movedStep } from './moved-step';
import { pipeline, type RequestRunner } from './pipeline';
import { rateLimitStep } from './rate-limit-step';
import { routeAllowStep } from './route-allow-step';
import { sessionSnapshot } from './session-snapshot';
import { unansweredStep } from './unanswered-step';

export interface RequestPathsOptions {
  serverType: string;
  settings: Pick<RuntimeSettings, 'RATE_LIMIT_PER_SECOND' | 'RATE_LIMIT_BURST'>;
  log: Logger;
  metrics: Pick<ServerMetrics, 'messageIn' | 'error' | 'hop'>;
  handlers: Registry<Handler>;
  /** The routes clients may request; undefined: any well-formed one. */
  allowed: () => ReadonlySet<string> | undefined;
  backends: BackendLinks;
  byId(serverId: string): ServerInfo | undefined;
}

/** The request paths of one server: a client's request on a frontend, and one a frontend forwarded to a backend. */
export function requestPaths(options: RequestPathsOptions): { client: RequestRunner; forwarded: RequestRunner } {
  const { log, metrics, allowed, backends } = options;
  // A route of this server's type runs here; a handler's `Moved` passes it on, once.
  const local = pipeline(
    [
      movedStep((serverId, { route, body, session, redirected }) => {
        const server = options.byId(serverId);
        if (!server) throw new AppError(Code.UNAVAILABLE, `no server ${serverId}`);
        // An object: it passed bodyObjectStep on the frontend.
        return backends.forward(server, { route, body: body as Record<string, unknown>, session: sessionSnapshot(session), redirected });
      }),
    ],
    handlerRunner(options.handlers, metrics),
  );
  const client = pipeline(
    [
      rateLimitStep(options.settings.RATE_LIMIT_PER_SECOND, options.settings.RATE_LIMIT_BURST),
      unansweredStep,
      meterStep(metrics, allowed),
      errorStep(log, metrics),
      routeAllowStep(allowed),
      bodyObjectStep,
    ],
    localOrForward(
      options.serverType,
      (route) => {
        const [, group = '', method = ''] = route.split('.');
        return options.handlers.has(group, method);
      },
      local,
      backendForward(backends),
    ),
  );
  return { client, forwarded: pipeline([errorStep(log, metrics)], local) };
}
