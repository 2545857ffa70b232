/** Certificates for mutual TLS on the internal links, made by the real `npm run certs` command. */
import path from 'node:path';
import { PROJECT_ROOT } from './cluster';
import { runProcess } from './status-cli';

export const CERTS_ENTRY = path.join(PROJECT_ROOT, 'dist/game-server/cli/certs.js');

/** The RPC_TLS_* settings of one host. */
export type RpcTlsEnv = { RPC_TLS_CERT: string; RPC_TLS_KEY: string; RPC_TLS_CA: string };

/** Runs `npm run certs -- --out <out> --hosts <hosts>` (its built script) and returns each host's RPC_TLS_* settings. */
export async function makeCerts(out: string, hosts: string[]): Promise<Map<string, RpcTlsEnv>> {
  const run = await runProcess(process.execPath, [CERTS_ENTRY, '--out', out, '--hosts', hosts.join(',')], process.env);
  if (run.code !== 0) throw new Error(`npm run certs failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  const ca = path.join(out, 'ca.crt');
  return new Map(
    hosts.map((host) => [
      host,
      { RPC_TLS_CERT: path.join(out, `${host}.crt`), RPC_TLS_KEY: path.join(out, `${host}.key`), RPC_TLS_CA: ca },
    ]),
  );
}
