import { AppError, Code } from './errors';
import type { Session } from './frontend/session';
import type { HopTrace } from './rpc/rpc-messages';

/** How a request reached its handler. */
export interface HandlerContext {
  route: string;
  /** A backend already passed this request on once (a handler threw `Moved`): it is not passed on again. */
  redirected: boolean;
  /**
   * Set on one request in HOP_SAMPLE_EVERY: its times so far. A handler hands it to the push its request
   * causes (`channel.pushMessage(..., trace)`), so that /metrics can say where a message's time went.
   */
  trace?: HopTrace | undefined;
}

/** A client route's implementation as the runtime calls it (see `Application.handle` for the typed face). */
export type Handler = (body: unknown, session: Session, context: HandlerContext) => Promise<object>;

/** A remote's method as the runtime calls it, with the arguments from the wire. */
export type RemoteMethod = (...args: unknown[]) => unknown;

/** A remote's methods: internal calls from peer servers only, never reachable by clients. */
export type Remote = Record<string, (...args: never[]) => unknown>;

/** The methods of a remote's implementation, by name (its own enumerable functions). */
export function remoteMethods(impl: object): Record<string, RemoteMethod> {
  const methods: Record<string, RemoteMethod> = {};
  for (const [name, value] of Object.entries(impl)) if (typeof value === 'function') methods[name] = value as RemoteMethod;
  return methods;
}

/**
 * Named groups of functions looked up by two names from the wire. Maps, not objects, so a name like
 * `__proto__` or `constructor` finds nothing.
 */
export class Registry<F> {
  private readonly groups = new Map<string, Map<string, F>>();

  constructor(private readonly kind: string) {}

  /** Adds `functions` to `group` (several parts of a server may each add methods to one group). */
  register(group: string, functions: Record<string, F>): void {
    const methods = this.groups.get(group) ?? new Map<string, F>();
    for (const [name, fn] of Object.entries(functions)) methods.set(name, fn);
    this.groups.set(group, methods);
  }

  has(group: string, name: string): boolean {
    return this.groups.get(group)?.has(name) ?? false;
  }

  lookup(group: string, name: string): F {
    const fn = this.groups.get(group)?.get(name);
    if (!fn) throw new AppError(Code.NOT_FOUND, `unknown ${this.kind} ${group}.${name}`);
    return fn;
  }
}
