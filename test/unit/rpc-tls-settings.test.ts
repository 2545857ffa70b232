import { subjectAltName } from '../../game-server/cli/make-certs';
import { ConfigError } from '../../game-server/config/config-error';
import { loadRpcTls } from '../../game-server/rpc/rpc-tls';
import { loadRuntimeSettings } from '../../game-server/settings';

describe('RPC_TLS_CERT, RPC_TLS_KEY and RPC_TLS_CA', () => {
  it('leave the links plain when none is set, or all are blank', () => {
    expect(loadRuntimeSettings({}).rpcTls).toBeUndefined();
    expect(loadRuntimeSettings({ RPC_TLS_CERT: '', RPC_TLS_KEY: '', RPC_TLS_CA: '' }).rpcTls).toBeUndefined();
  });

  it('refuse a partial set, naming the first missing setting', () => {
    expect(() => loadRuntimeSettings({ RPC_TLS_CERT: 'a.crt', RPC_TLS_CA: 'ca.crt' })).toThrow(
      new ConfigError(
        '.env',
        'RPC_TLS_KEY',
        'RPC_TLS_CERT, RPC_TLS_KEY and RPC_TLS_CA go together: set all three or none (RPC_TLS_CERT and RPC_TLS_CA set)',
      ),
    );
  });

  it('name the setting whose file cannot be read, with the path resolved from the root', () => {
    const paths = { RPC_TLS_CERT: 'no-such.crt', RPC_TLS_KEY: 'no-such.key', RPC_TLS_CA: 'no-such-ca.crt' };
    expect(() => loadRpcTls(paths, '/nowhere')).toThrow(/^\.env: RPC_TLS_CERT: cannot read \/nowhere\/no-such\.crt \(ENOENT/);
  });
});

describe('the subject alternative name of a host certificate', () => {
  it('is an IP SAN for an address and a DNS SAN for a name', () => {
    expect(subjectAltName('127.0.0.2')).toBe('IP:127.0.0.2');
    expect(subjectAltName('::1')).toBe('IP:::1');
    expect(subjectAltName('chat-a.internal')).toBe('DNS:chat-a.internal');
  });

  it('refuses what is neither', () => {
    expect(() => subjectAltName('a b')).toThrow('"a b" is neither an IP address nor a DNS name');
  });
});
