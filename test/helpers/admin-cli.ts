import path from 'node:path';
import { PROJECT_ROOT, type TestCluster } from './cluster';
import { runProcess, type CliRun } from './status-cli';

const ADMIN_ENTRY = path.join(PROJECT_ROOT, 'dist/app/cli/admin.js');

/** Runs the built admin command (`node dist/app/cli/admin.js ...`, what `npm run admin --` runs) against `cluster`. */
export function runAdmin(cluster: TestCluster, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runAdminIn(cluster.processEnv(env), args);
}

/** The same in an environment of the caller's (a pm2 cluster's: its servers.json, secrets). */
export function runAdminIn(env: NodeJS.ProcessEnv, args: string[]): Promise<CliRun> {
  return runProcess(process.execPath, [ADMIN_ENTRY, ...args], env);
}
