/**
 * `npm run certs -- --out <dir> --hosts h1,h2`: a CA and, for each host of servers.json, a certificate for
 * its servers' internal links (mutual TLS: RPC_TLS_CERT, RPC_TLS_KEY, RPC_TLS_CA). See docs/internal-tls.md.
 */
import path from 'node:path';
import { Command } from 'commander';
import { makeCerts } from './make-certs';

const EXIT_USAGE = 2;

const program = new Command('certs')
  .description('Makes a CA (or reuses the one in --out) and a certificate per host for mutual TLS on the internal RPC links.')
  .requiredOption('--out <dir>', 'folder for ca.crt, ca.key and <host>.crt, <host>.key')
  .requiredOption(
    '--hosts <list>',
    "comma-separated hosts, as config/servers.json names them (each becomes the certificate's IP or DNS name)",
  )
  .option('--days <n>', 'how long the host certificates last', (v) => Number.parseInt(v, 10), 825)
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE));

async function main(): Promise<void> {
  const options = program.parse().opts<{ out: string; hosts: string; days: number }>();
  const hosts = options.hosts
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const out = path.resolve(options.out);
  if (!Number.isInteger(options.days) || options.days < 1) throw new Error('--days: a whole number of days, at least 1');
  const made = await makeCerts({ out, hosts, days: options.days });
  const lines = [`${made.caMade ? 'made' : 'reused'} the CA ${made.ca} (its key, ca.key, signs certificates: keep it off the servers)`];
  for (const { host, cert, key } of made.hosts) {
    lines.push('', `on ${host} (.env of every process there):`, `RPC_TLS_CERT=${cert}`, `RPC_TLS_KEY=${key}`, `RPC_TLS_CA=${made.ca}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`certs: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
