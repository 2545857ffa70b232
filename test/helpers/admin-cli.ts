import path from 'node:path';
import { PROJECT_ROOT, type TestCluster } from './cluster';
import { runProcess, type CliRun } from './status-cli';

const ADMIN_ENTRY = path.join(PROJECT_ROOT, 'dist/app/cli/admin.js');

/** Runs the built admin command (`node dist/app/cli/admin.js ...`, what `npm run admin --` runs) against `cluster`. */
export function runAdmin(cluster: TestCluster, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runProcess(process.execPath, [ADMIN_ENTRY, ...args], cluster.processEnv(env));
}
