import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chatServersRules } from '../../app/servers-rules';
import { ConfigError } from '../../game-server/config/config-error';
import { findServer, parseServersConfig, type ServersRules } from '../../game-server/config/load-servers-config';
import { clientAddress } from '../../game-server/config/server-info';

const FILE = 'config/servers.json';
const good = {
  development: {
    gate: [{ id: 'gate-server-1', host: '127.0.0.1', port: 4014, clientPort: 3014, frontend: true }],
    connector: [{ id: 'connector-server-1', host: '127.0.0.1', port: 4050, clientPort: 3050, frontend: true }],
    chat: [{ id: 'chat-server-1', host: '127.0.0.1', port: 6050 }],
  },
};

function errorOf(raw: unknown, env = 'development', rules: ServersRules = {}): ConfigError {
  try {
    parseServersConfig(raw, FILE, env, rules);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const withDevelopment = (patch: Record<string, unknown>): unknown => ({ development: { ...good.development, ...patch } });

describe('servers config', () => {
  it('reads servers by type with their type filled in, in file order', () => {
    const servers = parseServersConfig(good, FILE, 'development');
    expect(servers.get('chat')).toEqual([{ id: 'chat-server-1', serverType: 'chat', host: '127.0.0.1', port: 6050 }]);
    expect(servers.get('connector')?.[0]).toMatchObject({ serverType: 'connector', clientPort: 3050, frontend: true });
  });

  it('names the environments it has when asked for an unknown one', () => {
    const err = errorOf(good, 'staging');
    expect(err.message).toBe('config/servers.json: staging: unknown environment "staging" (environments in the file: development)');
  });

  it('refuses a duplicate id, naming both places', () => {
    const err = errorOf(withDevelopment({ chat: [good.development.chat[0], { id: 'chat-server-1', host: '127.0.0.1', port: 6051 }] }));
    expect(err.field).toBe('development.chat[1].id');
    expect(err.message).toContain('duplicate id "chat-server-1" (also at development.chat[0])');
  });

  it('refuses a duplicate port on the same host', () => {
    const err = errorOf(withDevelopment({ chat: [{ id: 'chat-server-1', host: '127.0.0.1', port: 4050 }] }));
    expect(err.field).toBe('development.chat[0].port');
    expect(err.message).toContain('duplicate port 127.0.0.1:4050 (also at development.connector[0].port)');
  });

  it('allows the same port on two hosts', () => {
    const raw = withDevelopment({ chat: [{ id: 'chat-server-1', host: '127.0.0.2', port: 4050 }] });
    expect(parseServersConfig(raw, FILE, 'development').get('chat')).toHaveLength(1);
  });

  it('refuses a frontend without a clientPort', () => {
    const err = errorOf(withDevelopment({ connector: [{ id: 'connector-server-1', host: '127.0.0.1', port: 4050, frontend: true }] }));
    expect(err.field).toBe('development.connector[0].clientPort');
    expect(err.message).toContain('frontend server "connector-server-1" needs a clientPort');
  });

  it('refuses a port that is not a port', () => {
    const err = errorOf(withDevelopment({ chat: [{ id: 'chat-server-1', host: '127.0.0.1', port: 'six' }] }));
    expect(err.field).toBe('development.chat[0].port');
    expect(err.message).toMatch(/^config\/servers\.json: development\.chat\[0\]\.port: /);
  });

  it('refuses an entry without an id', () => {
    expect(errorOf(withDevelopment({ chat: [{ host: '127.0.0.1', port: 6050 }] })).field).toBe('development.chat[0].id');
  });

  it("reads the Pomelo tutorial's servers.json as printed there: a gate without a port has no internal port", () => {
    const tutorial: unknown = JSON.parse(readFileSync(path.join(__dirname, '../fixtures/pomelo-tutorial-servers.json'), 'utf8'));
    for (const env of ['development', 'production']) {
      const servers = parseServersConfig(tutorial, FILE, env, chatServersRules);
      expect(servers.get('gate')).toEqual([
        { id: 'gate-server-1', serverType: 'gate', host: '127.0.0.1', clientPort: 3014, frontend: true },
      ]);
      expect(servers.get('connector')?.map((s) => s.port)).toEqual([4050, 4051, 4052]);
      expect(servers.get('chat')?.map((s) => s.port)).toEqual([6050, 6051, 6052]);
    }
  });

  it('refuses a backend without a port: frontends reach it only there', () => {
    const err = errorOf(withDevelopment({ chat: [{ id: 'chat-server-1', host: '127.0.0.1' }] }));
    expect(err.field).toBe('development.chat[0].port');
    expect(err.message).toBe(
      'config/servers.json: development.chat[0].port: server "chat-server-1" needs a port (its internal RPC port): it is a backend: frontends forward requests to it there',
    );
  });

  it("refuses a frontend without a port where the application's rules need one (a connector gets pushes there)", () => {
    const connector = { id: 'connector-server-1', host: '127.0.0.1', clientPort: 3050, frontend: true };
    expect(parseServersConfig(withDevelopment({ connector: [connector] }), FILE, 'development').get('connector')).toHaveLength(1);
    const err = errorOf(withDevelopment({ connector: [connector] }), 'development', chatServersRules);
    expect(err.field).toBe('development.connector[0].port');
    expect(err.message).toContain(
      'server "connector-server-1" needs a port (its internal RPC port): chat servers push messages to its users there',
    );
  });

  it('refuses a file that is not an object', () => {
    expect(errorOf([1, 2]).message).toContain('expected an object with one section per environment');
  });

  it('finds a server by id, and says which ids exist when it cannot', () => {
    const servers = parseServersConfig(good, FILE, 'development');
    expect(findServer(servers, 'chat-server-1', FILE, 'development').port).toBe(6050);
    expect(() => findServer(servers, 'chat-server-9', FILE, 'development')).toThrow(
      'config/servers.json: development: unknown server id "chat-server-9" (ids in development: gate-server-1, connector-server-1, chat-server-1)',
    );
  });

  describe('publicUrl (a frontend behind a reverse proxy)', () => {
    const connectorWith = (publicUrl: unknown, extra: Record<string, unknown> = {}): unknown =>
      withDevelopment({ connector: [{ ...good.development.connector[0], publicUrl, ...extra }] });
    const connector = (publicUrl: string): Parameters<typeof clientAddress>[0] =>
      parseServersConfig(connectorWith(publicUrl), FILE, 'development').get('connector')![0]!;

    it('is what clients are given: host and port, secure for wss and https, default ports from the scheme', () => {
      expect(clientAddress(connector('wss://chat.example.com:8050'))).toEqual({ host: 'chat.example.com', port: 8050, secure: true });
      expect(clientAddress(connector('https://chat.example.com'))).toEqual({ host: 'chat.example.com', port: 443, secure: true });
      expect(clientAddress(connector('ws://10.0.0.5'))).toEqual({ host: '10.0.0.5', port: 80 });
      expect(clientAddress(connector('wss://[2001:db8::1]:8443/'))).toEqual({ host: '2001:db8::1', port: 8443, secure: true });
    });

    it('leaves host and clientPort, with no secure field, when there is none', () => {
      const servers = parseServersConfig(good, FILE, 'development');
      expect(clientAddress(servers.get('connector')![0]!)).toEqual({ host: '127.0.0.1', port: 3050 });
    });

    it.each([
      ['chat example', 'not a URL (expected e.g. wss://chat.example.com:8443)'],
      ['ftp://chat.example.com', 'scheme must be wss, ws, https or http, not ftp'],
      ['wss://chat.example.com/c1', 'no path, query or fragment allowed (give each frontend its own port)'],
      ['wss://chat.example.com:99999', 'not a URL (expected e.g. wss://chat.example.com:8443)'],
      ['wss://user:pw@chat.example.com', 'no user or password allowed'],
    ])('refuses %s in one line naming the field', (publicUrl, reason) => {
      const err = errorOf(connectorWith(publicUrl));
      expect(err.message).toBe(`config/servers.json: development.connector[0].publicUrl: "${publicUrl}": ${reason}`);
    });

    it('refuses one on a server without a clientPort', () => {
      const err = errorOf(withDevelopment({ chat: [{ ...good.development.chat[0], publicUrl: 'wss://chat.example.com' }] }));
      expect(err.message).toBe(
        'config/servers.json: development.chat[0].publicUrl: server "chat-server-1" has a publicUrl but no clientPort to put behind it',
      );
    });

    it('refuses one that is not a string', () => {
      expect(errorOf(connectorWith(8050)).field).toBe('development.connector[0].publicUrl');
    });
  });
});
