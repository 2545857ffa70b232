import type { Session } from '../frontend/session';
import type { ClientResponse, HopTrace } from '../rpc/rpc-messages';

/** A client request on its way through the steps (a frontend's own, or one a backend was forwarded). */
export interface ClientRequest {
  readonly route: string;
  readonly body: unknown;
  readonly session: Session;
  /** The client waits for a reply (a socket.io acknowledgement); without, nothing is sent back. */
  readonly answered: boolean;
  /** A backend already passed this request on once (its state moved): it is not passed on again. */
  readonly redirected: boolean;
  /** One request in HOP_SAMPLE_EVERY carries its times (game-server/metrics/hop-trace.ts). */
  readonly trace?: HopTrace | undefined;
}

/** What runs a request to its reply; the last step of a pipeline is one. */
export type RequestRunner = (request: ClientRequest) => Promise<ClientResponse>;

/** One step: answers by itself, or calls `next` (and may change what it answers), like Pinus's filters. */
export type Step = (request: ClientRequest, next: () => Promise<ClientResponse>) => Promise<ClientResponse>;

/** Runs `steps` in order in front of `last`. */
export function pipeline(steps: readonly Step[], last: RequestRunner): RequestRunner {
  return steps.reduceRight<RequestRunner>((next, step) => (request) => step(request, () => next(request)), last);
}
