import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './config-error';
import { PUBLIC_URL_SCHEMES, type ServerInfo, type ServerMap } from './server-info';
import { projectRoot } from '../project-root';

const port = z.number().int().min(1).max(65535);

const serverEntry = z.looseObject({
  id: z.string().min(1),
  host: z.string().min(1),
  port: port.optional(),
  clientPort: port.optional(),
  publicUrl: z.string().min(1).optional(),
  frontend: z.boolean().optional(),
});

const environmentSection = z.record(z.string().min(1), z.array(serverEntry));

/** What an application needs of the servers list beyond the runtime's own checks. */
export interface ServersRules {
  /**
   * Server types whose every server must have an internal `port`, each with the reason (e.g. other
   * servers push to it there). The runtime itself requires one only of backends (non-frontends).
   */
  portRequired?: Readonly<Record<string, string>>;
}

/** Where the servers list is read from: SERVERS_CONFIG, else config/servers.json at the project root. */
export function serversConfigPath(): string {
  return process.env.SERVERS_CONFIG ?? path.join(projectRoot(), 'config', 'servers.json');
}

export function environmentName(): string {
  return process.env.NODE_ENV || 'development';
}

/** Reads and validates one environment's servers; every problem is a ConfigError naming the field. */
export function loadServersConfig(file = serversConfigPath(), env = environmentName(), rules: ServersRules = {}): ServerMap {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(file, '', `cannot read servers list (${(err as Error).message})`);
  }
  return parseServersConfig(raw, file, env, rules);
}

export function parseServersConfig(raw: unknown, file: string, env: string, rules: ServersRules = {}): ServerMap {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(file, '', 'expected an object with one section per environment');
  }
  const sections = raw as Record<string, unknown>;
  if (!Object.hasOwn(sections, env)) {
    const known = Object.keys(sections).join(', ') || 'none';
    throw new ConfigError(file, env, `unknown environment "${env}" (environments in the file: ${known})`);
  }
  const parsed = environmentSection.safeParse(sections[env]);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(file, fieldPath(env, issue.path), issue.message);
  }

  const servers = new Map<string, ServerInfo[]>();
  const ids = new Map<string, string>();
  const ports = new Map<string, string>();
  for (const [serverType, entries] of Object.entries(parsed.data)) {
    const list: ServerInfo[] = [];
    entries.forEach((entry, index) => {
      const field = `${env}.${serverType}[${index}]`;
      if (entry.frontend && entry.clientPort === undefined) {
        throw new ConfigError(file, `${field}.clientPort`, `frontend server "${entry.id}" needs a clientPort`);
      }
      if (entry.port === undefined) {
        // A frontend can do without: it opens its own links. A backend is reached only on its port.
        const why = entry.frontend ? rules.portRequired?.[serverType] : 'it is a backend: frontends forward requests to it there';
        if (why) throw new ConfigError(file, `${field}.port`, `server "${entry.id}" needs a port (its internal RPC port): ${why}`);
      }
      if (entry.publicUrl !== undefined) {
        if (entry.clientPort === undefined) {
          throw new ConfigError(file, `${field}.publicUrl`, `server "${entry.id}" has a publicUrl but no clientPort to put behind it`);
        }
        const problem = publicUrlProblem(entry.publicUrl);
        if (problem) throw new ConfigError(file, `${field}.publicUrl`, `"${entry.publicUrl}": ${problem}`);
      }
      const sameId = ids.get(entry.id);
      if (sameId) throw new ConfigError(file, `${field}.id`, `duplicate id "${entry.id}" (also at ${sameId})`);
      ids.set(entry.id, field);
      for (const key of ['port', 'clientPort'] as const) {
        const value = entry[key];
        if (value === undefined) continue;
        const address = `${entry.host}:${value}`;
        const samePort = ports.get(address);
        if (samePort) throw new ConfigError(file, `${field}.${key}`, `duplicate port ${address} (also at ${samePort})`);
        ports.set(address, `${field}.${key}`);
      }
      list.push({
        id: entry.id,
        serverType,
        host: entry.host,
        ...(entry.port !== undefined && { port: entry.port }),
        ...(entry.clientPort !== undefined && { clientPort: entry.clientPort }),
        ...(entry.publicUrl !== undefined && { publicUrl: entry.publicUrl }),
        ...(entry.frontend !== undefined && { frontend: entry.frontend }),
      });
    });
    servers.set(serverType, list);
  }
  return servers;
}

/** Why `value` cannot be a frontend's publicUrl, or undefined when it can. */
function publicUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a URL (expected e.g. wss://chat.example.com:8443)';
  }
  if (!Object.hasOwn(PUBLIC_URL_SCHEMES, url.protocol)) return `scheme must be wss, ws, https or http, not ${url.protocol.slice(0, -1)}`;
  if (url.hostname === '') return 'no host';
  // Clients are handed only host and port (the protocol's queryEntry reply): a path would be lost.
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '')
    return 'no path, query or fragment allowed (give each frontend its own port)';
  if (url.username !== '' || url.password !== '') return 'no user or password allowed';
  return undefined;
}

/** `development.chat[1].port`: the same spelling for zod's findings and ours. */
function fieldPath(env: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`), env);
}

/** The entry for `id`, or a ConfigError saying which ids exist. */
export function findServer(servers: ServerMap, id: string, file: string, env: string): ServerInfo {
  for (const list of servers.values()) {
    const found = list.find((s) => s.id === id);
    if (found) return found;
  }
  const known = [...servers.values()]
    .flat()
    .map((s) => s.id)
    .join(', ');
  throw new ConfigError(file, env, `unknown server id "${id}" (ids in ${env}: ${known})`);
}
