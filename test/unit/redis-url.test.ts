import { parseRedisUrl, redactedRedisUrl } from '../../app/servers/chat/redis-url';
import { loadChatSettings } from '../../app/settings';
import { ConfigError } from '../../game-server/config/config-error';

describe('REDIS_URL', () => {
  it('names one server, the primary of a Sentinel-watched set, or a Redis Cluster', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379/2')).toEqual({ kind: 'standalone', url: 'redis://127.0.0.1:6379/2' });
    expect(parseRedisUrl('rediss://:secret@redis.example:6380')).toMatchObject({ kind: 'standalone' });
    expect(parseRedisUrl('redis+sentinel://10.0.0.1:26379,10.0.0.2:26379,sentinel-c:26379/chat')).toEqual({
      kind: 'sentinel',
      name: 'chat',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
        { host: 'sentinel-c', port: 26379 },
      ],
    });
    expect(parseRedisUrl('redis+cluster://:p%40ss@[::1]:7000,127.0.0.1:7001')).toEqual({
      kind: 'cluster',
      password: 'p@ss',
      nodes: [
        { host: '::1', port: 7000 },
        { host: '127.0.0.1', port: 7001 },
      ],
    });
  });

  it.each([
    ['http://127.0.0.1:6379', /unknown scheme/],
    ['redis+sentinel://127.0.0.1:26379', /ends with the master name/],
    ['redis+sentinel://127.0.0.1:26379/', /ends with the master name/],
    ['redis+sentinel://127.0.0.1/chat', /"127.0.0.1" is not host:port/],
    ['redis+cluster://127.0.0.1:7000,,127.0.0.1:7001', /"" is not host:port/],
    ['redis+cluster://127.0.0.1:70000', /is not host:port/],
    ['redis+cluster://127.0.0.1:7000/0', /has no path/],
    ['redis://', /not a Redis URL/],
  ])('refuses %s with a reason', (url, reason) => {
    expect(() => parseRedisUrl(url)).toThrow(reason);
  });

  it('is a one-line config error at start', () => {
    const load = (): unknown => loadChatSettings({ REDIS_URL: 'redis+sentinel://127.0.0.1:26379' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/REDIS_URL.*master name/);
  });

  it('hides a password in logs', () => {
    expect(redactedRedisUrl('redis+sentinel://:hunter2@10.0.0.1:26379/chat')).toBe('redis+sentinel://***@10.0.0.1:26379/chat');
    expect(redactedRedisUrl('redis://10.0.0.1:6379')).toBe('redis://10.0.0.1:6379');
  });
});
