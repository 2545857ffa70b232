/** A CA and per-host certificates for the internal links' mutual TLS, made with the openssl command. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface MakeCertsOptions {
  /** The folder for ca.crt, ca.key and <host>.crt, <host>.key; made if missing. */
  out: string;
  /** Hosts as servers.json names them (IP addresses or DNS names): one certificate each. */
  hosts: readonly string[];
  /** How long the host certificates last. */
  days?: number;
}

export interface HostFiles {
  host: string;
  cert: string;
  key: string;
}

export interface MadeCerts {
  ca: string;
  /** False when ca.crt and ca.key were in `out` already and signed the new certificates. */
  caMade: boolean;
  hosts: HostFiles[];
}

const CA_DAYS = 3650;
const HOST_DAYS = 825;
const DNS_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

// Our own openssl config, so that nothing depends on the system's openssl.cnf. A host's certificate is for
// both ends of a link: the server side of its internal port (serverAuth) and its links to peers (clientAuth).
const OPENSSL_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[host]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $ENV::CERT_SAN
`;

/** The subjectAltName naming `host`: peers check the host they dialled against it. */
export function subjectAltName(host: string): string {
  if (isIP(host)) return `IP:${host}`;
  if (DNS_NAME.test(host)) return `DNS:${host}`;
  throw new Error(`"${host}" is neither an IP address nor a DNS name`);
}

/** Makes (or reuses) the CA in `out` and one certificate per host, signed by it. Keys are written mode 0600. */
export async function makeCerts({ out, hosts, days = HOST_DAYS }: MakeCertsOptions): Promise<MadeCerts> {
  if (hosts.length === 0) throw new Error('no hosts: pass --hosts h1,h2');
  const sans = hosts.map((host) => ({ host, san: subjectAltName(host) }));
  mkdirSync(out, { recursive: true });
  const work = mkdtempSync(path.join(os.tmpdir(), 'rpc-certs-'));
  const config = path.join(work, 'openssl.cnf');
  writeFileSync(config, OPENSSL_CONFIG);
  try {
    const ca = path.join(out, 'ca.crt');
    const caKey = path.join(out, 'ca.key');
    const caMade = !(existsSync(ca) && existsSync(caKey));
    if (caMade) {
      await newKey(caKey);
      await openssl(
        ['req', '-new', '-x509', '-key', caKey, '-subj', '/CN=chat cluster internal RPC CA', '-days', String(CA_DAYS)].concat([
          '-config',
          config,
          '-extensions',
          'ca',
          '-out',
          ca,
        ]),
      );
    }
    const made: HostFiles[] = [];
    for (const { host, san } of sans) {
      const cert = path.join(out, `${host}.crt`);
      const key = path.join(out, `${host}.key`);
      const csr = path.join(work, `${host}.csr`);
      await newKey(key);
      await openssl(['req', '-new', '-key', key, '-subj', `/CN=${host}`, '-config', config, '-out', csr]);
      const serial = `0x${randomBytes(16).toString('hex').replace(/^./, '1')}`;
      const sign = ['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-set_serial', serial, '-days', String(days)];
      await openssl([...sign, '-extfile', config, '-extensions', 'host', '-out', cert], { CERT_SAN: san });
      made.push({ host, cert, key });
    }
    return { ca, caMade, hosts: made };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** An EC P-256 key: small, and the cheapest handshake of the usual choices. */
async function newKey(file: string): Promise<void> {
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
  chmodSync(file, 0o600);
}

function openssl(args: string[], env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { env: { ...process.env, CERT_SAN: '', ...env } }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        new Error(
          missing ? 'no openssl command: sh scripts/system-deps.sh installs it' : `openssl ${args[0]}: ${stderr.trim() || err.message}`,
        ),
      );
    });
  });
}
