/**
 * `npm run soak`: a private cluster under steady mixed traffic (verified sends, visitors that enter,
 * join, read history, leave and reconnect through the gate, kicks through the server API, a slow reader)
 * while every server is sampled once a second. Writes JSON and a plot (bench/results/ unless --json)
 * and exits 0 only when the verdict passes (docs/soak.md). Everything it starts is stopped at the end,
 * on error and on Ctrl-C.
 */
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { positive, wholeFrom } from '../cli-numbers';
import { renderTable, type Column } from '../../app/cli/text-table';
import { projectRoot } from '../../game-server/project-root';
import { isAlive } from '../proc-stats';
import { writeJson, writeReport } from '../report';
import { writeSoakPlot } from './plot';
import { SoakRun, type SoakOptions, type SoakResult } from './soak-run';
import { DEFAULT_LIMITS, type ServerVerdict } from './verdict';

const whole = wholeFrom(1);

interface CliOptions extends SoakOptions {
  json?: string;
  results: string;
}

function parseOptions(argv: string[]): CliOptions {
  const o = new Command('soak')
    .description(
      'Steady mixed traffic against a private cluster; samples every server once a second and judges memory, fds, handles, lag and loss',
    )
    .option('--duration <s>', 'how long the run drives traffic, its warm-up and idle level before the load included', positive, 60)
    .addOption(new Option('--store <store>', "the cluster's room log (HISTORY_STORE)").choices(['memory', 'redis']).default('memory'))
    .option('--connectors <n>', 'connectors', whole, 2)
    .option('--chats <n>', 'chat servers', whole, 2)
    .option('--rooms <n>', 'verified rooms (each connection follows two)', whole, 4)
    .option('--members <n>', 'verifying members per room, besides its sender', whole, 2)
    .option('--rate <n>', 'verified messages per second over all rooms', positive, 20)
    .option('--visitors <n>', 'visitors coming and going at once', whole, 4)
    .option('--visitor-pause <ms>', "pause between one visitor's cycles", positive, 500)
    .option('--kick-every <s>', 'a kick through the server API this often', positive, 3)
    .option('--slow-rate <n>', "messages per second in the slow reader's room (16000 characters each)", positive, 10)
    .option('--warm-up <s>', 'the whole mix before the idle level is taken', positive, 3)
    .option('--settle <s>', 'how long fds and handles get to come back after the load', positive, 20)
    .option('--max-growth <percent>', 'heap after GC growth allowed over the second half', positive, DEFAULT_LIMITS.maxGrowth * 100)
    .option(
      '--max-rss-growth <percent>',
      'RSS growth allowed over the second half (see docs/soak.md on short runs)',
      positive,
      DEFAULT_LIMITS.maxRssGrowth * 100,
    )
    .option(
      '--lag-limit <ms>',
      'event-loop lag p99 allowed over the second half (see docs/soak.md on a loaded machine)',
      positive,
      DEFAULT_LIMITS.lagLimitMs,
    )
    .option('--json <file>', 'where the JSON goes (default: bench/results/soak-<time>.json); the plot goes beside it')
    .option('--results <dir>', 'where the JSON goes without --json', path.join(projectRoot(), 'bench/results'))
    .parse(argv)
    .opts<{
      duration: number;
      visitorPause: number;
      kickEvery: number;
      slowRate: number;
      warmUp: number;
      settle: number;
      maxGrowth: number;
      maxRssGrowth: number;
      lagLimit: number;
      json?: string;
      results: string;
      store: SoakOptions['store'];
      connectors: number;
      chats: number;
      rooms: number;
      members: number;
      rate: number;
      visitors: number;
    }>();
  return {
    durationS: o.duration,
    store: o.store,
    connectors: o.connectors,
    chats: o.chats,
    rooms: o.rooms,
    members: o.members,
    rate: o.rate,
    visitors: o.visitors,
    visitorPauseMs: o.visitorPause,
    kickEveryS: o.kickEvery,
    slowMessageChars: 16_000,
    slowRate: o.slowRate,
    warmUpS: o.warmUp,
    settleS: o.settle,
    limits: { ...DEFAULT_LIMITS, maxGrowth: o.maxGrowth / 100, maxRssGrowth: o.maxRssGrowth / 100, lagLimitMs: o.lagLimit },
    ...(o.json !== undefined && { json: o.json }),
    results: o.results,
  };
}

const MiB = 1024 * 1024;
const mib = (bytes: number | undefined): string => (bytes === undefined ? '-' : (bytes / MiB).toFixed(1));
const pct = (g: { growth: number } | undefined): string => (g === undefined ? '-' : `${(g.growth * 100).toFixed(1)} %`);

function renderSoakTable(result: SoakResult): string {
  const columns: Column<ServerVerdict>[] = [
    { title: 'server', value: (v) => v.server },
    { title: 'samples', value: (v) => v.samples },
    { title: 'heap after GC MiB', value: (v) => `${mib(v.heapAfterGc?.first)} -> ${mib(v.heapAfterGc?.last)}` },
    { title: 'growth', value: (v) => pct(v.heapAfterGc), align: 'right' },
    { title: 'RSS MiB', value: (v) => `${mib(v.rss?.first)} -> ${mib(v.rss?.last)}` },
    { title: 'growth', value: (v) => pct(v.rss), align: 'right' },
    { title: 'fds before / after', value: (v) => (v.fds ? `${v.fds.before} / ${v.fds.after}` : undefined) },
    { title: 'handles before / after', value: (v) => (v.handles ? `${v.handles.before} / ${v.handles.after}` : undefined) },
    { title: 'lag p99 ms', value: (v) => v.lagP99Ms },
  ];
  return renderTable(columns, result.verdict.servers);
}

/** Set on Ctrl-C: the run's own failure that follows is no news, and the signal handler exits. */
let interrupted = false;

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const startedAt = new Date();
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const run = new SoakRun(options, log);
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = true;
    log(`\n${signal}: stopping everything the soak started (pids ${run.startedPids().join(' ') || 'none yet'})`);
    void run.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  log(
    `soak --duration ${options.durationS} --store ${options.store}: ${options.connectors} connectors, ${options.chats} chat servers, ` +
      `${options.rate} verified messages/s; load average ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
  );
  let result: SoakResult;
  try {
    result = await run.run();
  } finally {
    await run.stop();
  }
  const stillAlive = run.startedPids().filter(isAlive);
  if (stillAlive.length > 0) result.verdict.failures.push(`still running after the stop: pids ${stillAlive.join(' ')}`);
  const passed = result.verdict.failures.length === 0;
  log(`\n${renderSoakTable(result)}`);
  log(
    `sends ${result.sends}, refused ${JSON.stringify(result.refusals)}; lost ${result.loss.lost}, duplicated ${result.loss.duplicated}, out of order ${result.loss.outOfOrder}`,
  );
  log(`operations ${JSON.stringify(result.operations)}`);
  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: process.argv.slice(2),
    options,
    machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg() },
    passed,
    failures: result.verdict.failures,
    ...result,
    verdict: { ...result.verdict, passed },
    stillAlive,
  };
  const file = options.json ? path.resolve(options.json) : writeReport(options.results, startedAt, report, 'soak-');
  if (options.json) writeJson(file, report);
  const plot = file.replace(/(\.json)?$/, '.html');
  writeSoakPlot(
    plot,
    result.servers,
    result.samples,
    result.phases,
    `--duration ${options.durationS} --store ${options.store}, ${startedAt.toISOString()}`,
  );
  log(`\nresults: ${path.relative(process.cwd(), file)}\nplot: ${path.relative(process.cwd(), plot)}`);
  for (const f of result.verdict.failures) log(`FAIL ${f}`);
  log(passed ? 'PASS' : 'FAIL');
  // Everything the run started is stopped (stillAlive above); a client socket mid-close or an HTTP
  // keep-alive socket of the kicks must not hold the verdict back.
  process.exit(passed ? 0 : 1);
}

main().catch((err: unknown) => {
  if (interrupted) return;
  process.stderr.write(`soak failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
