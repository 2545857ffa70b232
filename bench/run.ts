/**
 * `npm run bench`: runs the scenarios against the cluster (pm2, private home), the single-process
 * baseline and socket.io's cluster adapter on node:cluster workers in one invocation, from
 * load-generator processes of its own, prints one table and writes it as JSON under bench/results/.
 * Everything it starts is stopped at the end, on error and on Ctrl-C.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { projectRoot } from '../game-server/project-root';
import { LoadPool } from './load/load-pool';
import { probeNodeArgs } from './memory-probe-client';
import { writePlot } from './plot';
import { isAlive } from './proc-stats';
import { medianResults, renderReport, repeatedRows, writeReport, type Results } from './report';
import { runIdle } from './scenarios/idle';
import { runJoinStorm } from './scenarios/join-storm';
import { runMultiRoom } from './scenarios/multi-room';
import { runPresenceStorm } from './scenarios/presence-storm';
import { runScaleOut, type CountingTarget } from './scenarios/scale-out';
import type { ScenarioContext, ScenarioResult } from './scenarios/scenario';
import { runStepUp } from './scenarios/step-up';
import { writeScalePlot } from './scale-plot';
import {
  DEFAULT_SCENARIOS,
  SCENARIOS,
  SIZES,
  withOverrides,
  type ScenarioName,
  type SizeName,
  type SizeOverrides,
  type Sizes,
} from './sizes';
import { AdapterTarget } from './targets/adapter-target';
import { BaselineTarget } from './targets/baseline-target';
import { ClusterTarget, type ClusterLayout } from './targets/cluster-target';
import type { Target, TargetName } from './targets/target';

const MiB = 1024 * 1024;

/** Server settings for the bench (an environment variable of the same name wins); see docs/performance.md. */
const SERVER_ENV_DEFAULTS: Record<string, string> = {
  LOG_LEVEL: 'warn',
  // The per-socket token bucket would cap every client at 20 messages a second.
  RATE_LIMIT_PER_SECOND: '1000000',
  RATE_LIMIT_BURST: '1000000',
  // Past the peak, queues grow for a step or two; a slow reader must not be dropped for that.
  CLIENT_MAX_BUFFERED_BYTES: String(16 * MiB),
};

interface Options extends SizeOverrides {
  size: SizeName;
  only: ScenarioName[];
  target: TargetName[];
  connectors: number;
  chats: number;
  store: 'memory' | 'redis';
  workers: number;
  adapterWorkers: number;
  steps?: number;
  referencePeak?: number;
  repeat: number;
  results: string;
  profile?: string;
}

const TARGETS: Record<TargetName | 'both' | 'all', TargetName[]> = {
  cluster: ['cluster'],
  'cluster-redis': ['cluster-redis'],
  'cluster-sentinel': ['cluster-sentinel'],
  'cluster-tls': ['cluster-tls'],
  baseline: ['baseline'],
  adapter: ['adapter'],
  'adapter-bare': ['adapter-bare'],
  both: ['cluster', 'baseline'],
  all: ['cluster', 'baseline', 'adapter', 'adapter-bare'],
};

const targetList = (value: string): TargetName[] => {
  const names: TargetName[] = [];
  for (const name of value.split(',').map((s) => s.trim())) {
    const set = (TARGETS as Record<string, TargetName[] | undefined>)[name];
    if (!set) throw new InvalidArgumentError(`one or more of ${Object.keys(TARGETS).join(', ')}`);
    for (const target of set) if (!names.includes(target)) names.push(target);
  }
  return names;
};

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
    .description('Benchmark the chat cluster against a single-process socket.io baseline and socket.io cluster-adapter workers')
    .addOption(new Option('--size <size>', 'quick or full').choices(['quick', 'full']).default('full'))
    .option('--only <scenarios>', `comma-separated: ${SCENARIOS.join(', ')} (default: all but scale)`, scenarioList, [...DEFAULT_SCENARIOS])
    .addOption(
      new Option('--target <targets>', `comma-separated: ${Object.keys(TARGETS).join(', ')} (both: cluster and baseline; all: the four)`)
        .argParser(targetList)
        .default(TARGETS.all, 'all'),
    )
    .option('--connectors <n>', 'connectors in the cluster', positive, 2)
    .option('--chats <n>', 'chat servers in the cluster', positive, 2)
    .addOption(new Option('--store <store>', "the cluster's room log (HISTORY_STORE)").choices(['memory', 'redis']).default('memory'))
    .option('--workers <n>', 'load-generator processes', positive, 2)
    .option('--adapter-workers <n>', 'node:cluster workers of the adapter target', positive, 3)
    .option('--multi-room-clients <n>', 'multiRoom: connections (default 1,000; quick 200)', positive)
    .option('--rooms-per-client <n>', 'multiRoom: rooms each connection is in (default 5)', positive)
    .option('--multi-room-size <n>', 'multiRoom: members per room (default 20)', positive)
    .option('--presence-users <n>', 'presence: users entering the one room (default 5,000; quick 1,500)', positive)
    .option('--steps <n>', 'at most this many load steps per scenario, and layouts of scale (a smoke run)', positive)
    .option(
      '--reference-peak <deliveries>',
      "the peak the step-up scenarios measure every target at half and a tenth of (default: the first target's)",
      positive,
    )
    .option('--repeat <n>', 'run the scenarios on the targets this many times, alternating; the table shows medians', positive, 1)
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

/**
 * The multi-room scenario's servers load bench/memory-probe.ts, which answers SIGUSR2 with its memory
 * after a full GC; the other scenarios' servers run as always.
 */
function withMemoryProbe(env: Record<string, string>, dir: string): Record<string, string> {
  return { ...env, BENCH_MEMORY_DIR: dir, CLUSTER_NODE_ARGS: [env.CLUSTER_NODE_ARGS, probeNodeArgs()].filter(Boolean).join(' ') };
}

/**
 * The scale-out count has no single process to scale, and counts one adapter (the bare one sends the same
 * messages between workers). The bare adapter has no presence cap, which the presence storm is about.
 */
const runsOn = (scenario: ScenarioName, target: TargetName): boolean => {
  if (scenario === 'scale') return target === 'cluster' || target === 'adapter';
  if (target === 'cluster-redis' || target === 'cluster-sentinel' || target === 'cluster-tls')
    return scenario === 'chat' || scenario === 'bigRoom' || scenario === 'multiRoom';
  if (scenario === 'presence') return target !== 'adapter-bare';
  return true;
};

function startTarget(name: TargetName, layout: ClusterLayout, adapterWorkers: number, env: Record<string, string>): Promise<Target> {
  switch (name) {
    case 'cluster':
      return ClusterTarget.start(layout, env);
    case 'cluster-redis':
      return ClusterTarget.start({ ...layout, store: 'redis' }, env, 'cluster-redis');
    case 'cluster-sentinel':
      return ClusterTarget.start({ ...layout, store: 'sentinel' }, env, 'cluster-sentinel');
    case 'cluster-tls':
      return ClusterTarget.start(layout, env, 'cluster-tls');
    case 'baseline':
      return BaselineTarget.start(env);
    case 'adapter':
      return AdapterTarget.start(adapterWorkers, env);
    case 'adapter-bare':
      return AdapterTarget.start(adapterWorkers, env, { bare: true });
  }
}

/** The scale-out count's targets: `n` connectors and chat servers, or `n` workers counting their IPC. */
function startCountingTarget(name: TargetName, n: number, layout: ClusterLayout, env: Record<string, string>): Promise<CountingTarget> {
  if (name === 'cluster') return ClusterTarget.start({ ...layout, connectors: n, chats: n }, env);
  if (name === 'adapter') return AdapterTarget.start(n, env, { countIpc: true });
  throw new Error(`the scale-out count does not run on the ${name}`);
}

function describeTarget(name: TargetName, layout: ClusterLayout, adapterWorkers: number): string {
  const servers = `${layout.connectors} connectors, ${layout.chats} chat servers`;
  switch (name) {
    case 'cluster':
      return `the cluster (${servers}, ${layout.store} room log)`;
    case 'cluster-redis':
      return `the cluster on Redis (${servers}, a redis-server of its own)`;
    case 'cluster-sentinel':
      return `the cluster on Redis Sentinel (${servers}; a primary, two replicas, three Sentinels; a replica confirms each append)`;
    case 'cluster-tls':
      return `the cluster with mutual TLS on its internal links (${servers}, ${layout.store} room log)`;
    case 'baseline':
      return 'the baseline';
    case 'adapter':
      return `the cluster adapter (${adapterWorkers} node:cluster workers)`;
    case 'adapter-bare':
      return `the bare cluster adapter (${adapterWorkers} node:cluster workers, routes and pushes only)`;
  }
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
    case 'multiRoom':
      return runMultiRoom(ctx, sizes.multiRoom);
    case 'presence':
      return runPresenceStorm(ctx, sizes.presence);
    case 'scale':
      throw new Error('the scale-out count starts its own targets');
  }
}

/** The peak the later targets of a scenario are measured against: the one its first target reached. */
const referencePeakOf = (done: Results[ScenarioName]): number | undefined =>
  Object.values(done ?? {})[0]?.figures.find((f) => f.name === 'reference peak (first target)')?.value;

/** The peaks the targets done so far reached in a scenario, in the order they ran. */
const peaksOf = (done: Results[ScenarioName]): { target: string; peak: number }[] =>
  Object.entries(done ?? {}).flatMap(([target, result]) => {
    const peak = result.figures.find((f) => f.name === 'peak delivered')?.value;
    return peak === undefined ? [] : [{ target, peak }];
  });

const loadAverage = (): number[] => os.loadavg().map((n) => Number(n.toFixed(2)));

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const startedAt = new Date();
  const sizes = withOverrides(SIZES[options.size], options);
  const layout: ClusterLayout = { connectors: options.connectors, chats: options.chats, store: options.store };
  const targets = options.target;
  const env = serverEnv(options);
  const memoryDir = mkdtempSync(path.join(os.tmpdir(), 'bench-memory-'));
  process.env.BENCH_MEMORY_DIR = memoryDir;
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const startedPids: number[] = [];
  const loadAverages: Record<string, number[]> = { start: loadAverage() };
  let current: Target | undefined;
  let pool: LoadPool | undefined;

  /** Runs `body` on a target just started, and stops it (and notes its pids) whatever happens. */
  const withTarget = async <T extends Target, R>(start: () => Promise<T>, body: (target: T) => Promise<R>): Promise<R> => {
    const target = await start();
    current = target;
    try {
      return await body(target);
    } finally {
      startedPids.push(...target.startedPids());
      await target.stop();
      current = undefined;
    }
  };

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
  const runs: Results[] = [];
  try {
    pool = await LoadPool.start(options.workers);
    startedPids.push(...pool.pids);
    const loadPool = pool;
    for (let run = 1; run <= options.repeat; run++) {
      if (options.repeat > 1) log(`run ${run} of ${options.repeat}`);
      const results: Results = {};
      runs.push(results);
      for (const scenario of options.only) {
        for (const name of targets.filter((t) => runsOn(scenario, t))) {
          let result: ScenarioResult;
          if (scenario === 'scale') {
            log(
              `scale on the ${name}: n = ${sizes.scale.processes.join(', ')} ${name === 'cluster' ? 'connectors and chat servers' : 'workers'}`,
            );
            const scaleCtx = {
              pool: loadPool,
              log,
              withTarget: <R>(n: number, body: (target: CountingTarget) => Promise<R>) =>
                withTarget(() => startCountingTarget(name, n, layout, env), body),
            };
            result = await runScaleOut(scaleCtx, sizes.scale, options.steps);
          } else {
            log(`${scenario} on ${describeTarget(name, layout, options.adapterWorkers)}`);
            const referencePeak = options.referencePeak ?? referencePeakOf(results[scenario]);
            const earlierPeaks = peaksOf(results[scenario]);
            const targetEnv = scenario === 'multiRoom' ? withMemoryProbe(env, memoryDir) : env;
            result = await withTarget(
              () => startTarget(name, layout, options.adapterWorkers, targetEnv),
              (target) =>
                runScenario(
                  scenario,
                  {
                    target,
                    pool: loadPool,
                    log,
                    ...(options.steps !== undefined && { maxSteps: options.steps }),
                    ...(referencePeak !== undefined && { referencePeak }),
                    targetName: name,
                    earlierPeaks,
                  },
                  sizes,
                ),
            );
          }
          (results[scenario] ??= {})[name] = result;
          loadAverages[`${scenario} ${name}${options.repeat > 1 ? `, run ${run}` : ''}`] = loadAverage();
        }
      }
    }
  } finally {
    await cleanUp();
    rmSync(memoryDir, { recursive: true, force: true });
  }

  const results = medianResults(runs);
  const rows = repeatedRows(results, runs);
  log(`\n${renderReport(rows, options.adapterWorkers)}`);
  const stillAlive = startedPids.filter(isAlive);
  if (stillAlive.length > 0) log(`\nstill running after the bench: ${stillAlive.join(', ')}`);
  const file = writeReport(options.results, startedAt, {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: process.argv.slice(2),
    size: options.size,
    layout,
    adapterWorkers: options.adapterWorkers,
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
  // The plot draws the steps of one run: the first.
  if (writePlot(plot, runs[0] ?? {}, options.repeat > 1 ? `${subtitle}, run 1 of ${options.repeat}` : subtitle))
    log(`plot: ${path.relative(process.cwd(), plot)}`);
  const scalePlot = file.replace(/\.json$/, '-scale.html');
  if (writeScalePlot(scalePlot, runs[0] ?? {}, subtitle)) log(`scale plot: ${path.relative(process.cwd(), scalePlot)}`);
  process.exitCode = stillAlive.length > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
