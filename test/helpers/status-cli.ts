import { execFile } from 'node:child_process';
import path from 'node:path';
import type { ClusterReport } from '../../app/cli/cluster-status';
import { PROJECT_ROOT, type TestCluster } from './cluster';

export const STATUS_ENTRY = path.join(PROJECT_ROOT, 'dist/app/cli/status.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time of the whole process, node's own start included. */
  ms: number;
}

/**
 * Runs the built status command (`node dist/app/cli/status.js ...`) against `cluster`'s servers.json
 * with the environment its servers have. Killed after `killAfterMs`: a hang fails the test, it never stalls it.
 */
export function runStatus(cluster: TestCluster, args: string[], env: Record<string, string> = {}, killAfterMs = 15_000): Promise<CliRun> {
  return runProcess(process.execPath, [STATUS_ENTRY, ...args], cluster.processEnv(env), killAfterMs);
}

export function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv, killAfterMs = 15_000): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(command, args, { cwd: PROJECT_ROOT, env, timeout: killAfterMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export function parseReport(run: CliRun): ClusterReport {
  try {
    return JSON.parse(run.stdout) as ClusterReport;
  } catch {
    throw new Error(`status --json printed no JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}
