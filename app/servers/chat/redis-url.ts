/**
 * The Redis deployments REDIS_URL can name, each reached through ioredis:
 * - `redis://[:password@]host:port[/db]` (or `rediss://`): one server;
 * - `redis+sentinel://[:password@]host:port,host:port/<master-name>`: the primary that these Sentinels name;
 * - `redis+cluster://[:password@]host:port,host:port`: a Redis Cluster, found from any of these nodes.
 */
export interface RedisNode {
  host: string;
  port: number;
}

export type RedisTarget =
  | { kind: 'standalone'; url: string }
  | { kind: 'sentinel'; sentinels: RedisNode[]; name: string; password?: string }
  | { kind: 'cluster'; nodes: RedisNode[]; password?: string };

const FORMS = 'redis://host:port, redis+sentinel://host:port,host:port/<master-name> or redis+cluster://host:port,host:port';

/** Reads REDIS_URL; throws an Error whose message says what is wrong, in one line. */
export function parseRedisUrl(raw: string): RedisTarget {
  const scheme = /^([a-z+]+):\/\//.exec(raw)?.[1];
  if (scheme === 'redis' || scheme === 'rediss') {
    if (!URL.canParse(raw) || !new URL(raw).hostname) throw new Error(`not a Redis URL: expected ${FORMS}`);
    return { kind: 'standalone', url: raw };
  }
  if (scheme !== 'redis+sentinel' && scheme !== 'redis+cluster') throw new Error(`unknown scheme: expected ${FORMS}`);

  const rest = raw.slice(scheme.length + 3);
  const at = rest.lastIndexOf('@');
  const password = at >= 0 ? decodeURIComponent(rest.slice(0, at).replace(/^[^:]*:/, '')) : undefined;
  const [hosts = '', ...path] = rest.slice(at + 1).split('/');
  const nodes = hosts.split(',').map(parseNode);
  const auth = password ? { password } : {};
  if (scheme === 'redis+cluster') {
    if (path.some((p) => p !== '')) throw new Error('a redis+cluster:// URL has no path (a cluster has no database or master name)');
    return { kind: 'cluster', nodes, ...auth };
  }
  const name = path.join('/');
  if (!/^[\w.-]+$/.test(name))
    throw new Error('a redis+sentinel:// URL ends with the master name: redis+sentinel://host:port,host:port/mymaster');
  return { kind: 'sentinel', sentinels: nodes, name, ...auth };
}

function parseNode(text: string): RedisNode {
  const match = /^([\w.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) throw new Error(`"${text}" is not host:port`);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/** The URL with any password hidden, for logs. */
export function redactedRedisUrl(raw: string): string {
  return raw.replace(/\/\/[^@/]*@/, '//***@');
}
