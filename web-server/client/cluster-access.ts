/**
 * How the page reaches the cluster: where the gate is (the web server's config.json) and a sign-in
 * token (the web server's development sign-in). The client library does the rest (gate, connector,
 * requests that never hang).
 */
import type { EVERYONE as EVERYONE_VALUE, TokenResponse } from '../../app/protocol';
import { ChatError } from './chat-error';

// `'*'` is a copy the compiler checks against app/protocol.ts (the page imports the server's types only).
/** `target` for a message to the whole room. */
export const EVERYONE: typeof EVERYONE_VALUE = '*';

export interface ClientConfig {
  gate: { host: string; port: number };
}

export async function fetchConfig(): Promise<ClientConfig> {
  let response: Response;
  try {
    response = await fetch('config.json', { cache: 'no-store' });
  } catch {
    throw new ChatError('Cannot reach the web server. Check your connection, then try again.');
  }
  if (!response.ok) throw new ChatError(`The web server cannot tell where the chat server is (HTTP ${response.status}).`);
  const config = (await response.json()) as Partial<ClientConfig>;
  if (typeof config.gate?.host !== 'string' || typeof config.gate.port !== 'number') {
    throw new ChatError('The web server sent a configuration this page does not understand.');
  }
  return config as ClientConfig;
}

/**
 * A sign-in token from the web server (`POST /api/token`, development sign-in), or undefined when it
 * issues none (404: the cluster is open, or tokens come from elsewhere).
 */
export async function fetchToken(username: string): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetch('api/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username }),
      cache: 'no-store',
    });
  } catch {
    throw new ChatError('Cannot reach the web server. Check your connection, then try again.');
  }
  if (response.status === 404) return undefined;
  const body = (await response.json().catch(() => ({}))) as Partial<TokenResponse> & { error?: string };
  if (!response.ok || typeof body.token !== 'string') {
    throw new ChatError(`Could not sign in: ${body.error ?? `HTTP ${response.status}`}.`, response.status);
  }
  return body.token;
}

/** The gate's address for the client library, with this page's scheme (https: a TLS gate behind the same proxy). */
export function gateUrl(config: ClientConfig): string {
  const scheme = location.protocol === 'https:' ? 'https' : 'http';
  const { host, port } = config.gate;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
