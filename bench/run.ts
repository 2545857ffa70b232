/**
 * `npm run bench`: runs the scenarios against the cluster (pm2, private home) and the single-process
 * baseline in one invocation, from load-generator processes of its own, prints one table and writes
 * it as JSON under bench/results/. Everything it starts is stopped at the end, on error and on Ctrl-C.
 */
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { projectRoot } from '../game-server/project-root';
import { LoadPool } from './load/load-pool';
import { writePlot } from './plot';
import { isAlive } from './proc-stats';
import { renderReport, reportRows, writeReport, type Results } from './report';
import { runIdle } from './scenarios/idle';
import { runJoinStorm } from './scenarios/join-storm';
import type { ScenarioContext, ScenarioResult } from './scenarios/scenario';
import { runStepUp } from './scenarios/step-up';
import { SCENARIOS, SIZES, type ScenarioName, type SizeName, type Sizes } from './sizes';
import { BaselineTarget } from './targets/baseline-target';
import { ClusterTarget, type ClusterLayout } from './targets/cluster-target';
import type { Target, TargetName } from './targets/target';

const MiB = 1024 * 1024;

/** Server settings for the bench (an environment variable of the same name wins); see README, Performance. */
const SERVER_ENV_DEFAULTS: Record<string, string> = {
  LOG_LEVEL: 'warn',
  // The per-socket token bucket would cap every client at 20 messages a second.
  RATE_LIMIT_PER_SECOND: '1000000',
  RATE_LIMIT_BURST: '1000000',
  // Past the peak, queues grow for a step or two; a slow reader must not be dropped for that.
  CLIENT_MAX_BUFFERED_BYTES: String(16 * MiB),
};

interface Options {
  size: SizeName;
  only: ScenarioName[];
  target: 'cluster' | 'baseline' | 'both';
  connectors: number;
  chats: number;
  store: 'memory' | 'redis';
  workers: number;
  steps?: number;
  results: string;
  profile?: string;
}

const positive = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number from 1');
  return n;
};

const scenarioList = (value: string): ScenarioName[] => {
  const names = value.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!(SCENARIOS as readonly string[]).includes(name)) throw new InvalidArgumentError(`one or more of ${SCENARIOS.join(', ')}`);
  }
  return names as ScenarioName[];
};

function parseOptions(argv: string[]): Options {
  return new Command('bench')
    .description('Benchmark the chat cluster against a single-process socket.io baseline')
    .addOption(new Option('--size <size>', 'quick or full').choices(['quick', 'full']).default('full'))
    .option('--only <scenarios>', `comma-separated: ${SCENARIOS.join(', ')}`, scenarioList, [...SCENARIOS])
    .addOption(new Option('--target <target>', 'what to measure').choices(['cluster', 'baseline', 'both']).default('both'))
    .option('--connectors <n>', 'connectors in the cluster', positive, 2)
    .option('--chats <n>', 'chat servers in the cluster', positive, 2)
    .addOption(new Option('--store <store>', "the cluster's room log (HISTORY_STORE)").choices(['memory', 'redis']).default('memory'))
    .option('--workers <n>', 'load-generator processes', positive, 2)
    .option('--steps <n>', 'at most this many load steps per scenario (a smoke run)', positive)
    .option('--results <dir>', 'where the JSON goes', path.join(projectRoot(), 'bench/results'))
    .option('--profile <dir>', 'run every server with node --cpu-prof, profiles into <dir>')
    .parse(argv)
    .opts<Options>();
}

function serverEnv(options: Options): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(SERVER_ENV_DEFAULTS)) env[key] = process.env[key] ?? value;
  // --cpu-prof is not allowed in NODE_OPTIONS: ecosystem.config.js and the baseline pass these on as node flags.
  if (options.profile) env.CLUSTER_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${path.resolve(options.profile)}`;
  return env;
}

function startTarget(name: TargetName, layout: ClusterLayout, env: Record<string, string>): Promise<Target> {
  return name === 'cluster' ? ClusterTarget.start(layout, env) : BaselineTarget.start(env);
}

function runScenario(name: ScenarioName, ctx: ScenarioContext, sizes: Sizes): Promise<ScenarioResult> {
  switch (name) {
    case 'chat':
      return runStepUp(ctx, sizes.chat, 'room');
    case 'bigRoom':
      return runStepUp(ctx, sizes.bigRoom, 'big');
    case 'join':
      return runJoinStorm(ctx, sizes.join);
    case 'idle':
      return runIdle(ctx, sizes.idle);
  }
}

const loadAverage = (): number[] => os.loadavg().map((n) => Number(n.toFixed(2)));

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const startedAt = new Date();
  const sizes = SIZES[options.size];
  const layout: ClusterLayout = { connectors: options.connectors, chats: options.chats, store: options.store };
  const targets: TargetName[] = options.target === 'both' ? ['cluster', 'baseline'] : [options.target];
  const env = serverEnv(options);
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const startedPids: number[] = [];
  const loadAverages: Record<string, number[]> = { start: loadAverage() };
  let current: Target | undefined;
  let pool: LoadPool | undefined;

  const cleanUp = async (): Promise<void> => {
    const target = current;
    current = undefined;
    await Promise.allSettled([target?.stop(), pool?.stop()]);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`\n${signal}: stopping everything the bench started`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  log(
    `bench --size ${options.size}: ${options.only.join(', ')} on ${targets.join(' and ')}; load average ${loadAverages.start!.join(' ')}`,
  );
  const results: Results = {};
  try {
    pool = await LoadPool.start(options.workers);
    startedPids.push(...pool.pids);
    for (const scenario of options.only) {
      for (const name of targets) {
        log(
          `${scenario} on the ${name}${name === 'cluster' ? ` (${layout.connectors} connectors, ${layout.chats} chat servers, ${layout.store} room log)` : ''}`,
        );
        current = await startTarget(name, layout, env);
        try {
          const ctx: ScenarioContext = { target: current, pool, log, ...(options.steps !== undefined && { maxSteps: options.steps }) };
          (results[scenario] ??= {})[name] = await runScenario(scenario, ctx, sizes);
        } finally {
          startedPids.push(...current.startedPids());
          await current.stop();
          current = undefined;
        }
        loadAverages[`${scenario} ${name}`] = loadAverage();
      }
    }
  } finally {
    await cleanUp();
  }

  const rows = reportRows(results);
  log(`\n${renderReport(rows)}`);
  const stillAlive = startedPids.filter(isAlive);
  if (stillAlive.length > 0) log(`\nstill running after the bench: ${stillAlive.join(', ')}`);
  const file = writeReport(options.results, startedAt, {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: process.argv.slice(2),
    size: options.size,
    layout,
    workers: options.workers,
    serverEnv: env,
    machine: { cpus: os.cpus().length, node: process.version, loadAverages },
    rows,
    details: results,
    startedPids,
    stillAlive,
  });
  log(`\nresults: ${path.relative(process.cwd(), file)}`);
  const plot = file.replace(/\.json$/, '.html');
  const subtitle = `--size ${options.size}, ${startedAt.toISOString()}, load average at start ${loadAverages.start!.join(' ')}`;
  if (writePlot(plot, results, subtitle)) log(`plot: ${path.relative(process.cwd(), plot)}`);
  process.exitCode = stillAlive.length > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
