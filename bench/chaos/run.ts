/**
 * `npm run chaos`: a private cluster under steady traffic from verifying clients, and faults drawn
 * from a seed (kill -9 of a chat server, a connector, the gate; pm2 restart of one server; pm2 reload
 * of all; npm run scale out and in; a partition). Prints a table, writes JSON and a plot (bench/results/ unless --json), and exits
 * 0 only when nothing was lost, duplicated or reordered. Everything it starts is stopped at the end,
 * on error and on Ctrl-C.
 */
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { positive, wholeFrom } from '../cli-numbers';
import { projectRoot } from '../../game-server/project-root';
import { isAlive } from '../proc-stats';
import { reportFile, writeJson } from '../report';
import { ChaosRun, type ChaosOptions } from './chaos-run';
import { writeChaosPlot } from './plot';
import { failures, outcome, renderChaosReport } from './report';
import { CHAOS_STORES, FAULT_KINDS, faultKindsFor, REDIS_FAULT_KINDS, type FaultKind } from './schedule';

const whole = wholeFrom(0);
/** Older names of fault kinds, still taken on the command line. */
const KIND_ALIASES: Record<string, FaultKind> = { restart: 'graceful-restart' };
const kindList = (value: string): FaultKind[] => {
  const kinds = value.split(',').map((s) => KIND_ALIASES[s.trim()] ?? s.trim());
  for (const kind of kinds)
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw new InvalidArgumentError(`one or more of ${FAULT_KINDS.join(', ')}`);
  if (kinds.includes('scale-in') && !kinds.includes('scale-out')) throw new InvalidArgumentError('scale-in needs scale-out');
  return kinds as FaultKind[];
};

interface CliOptions extends ChaosOptions {
  json?: string;
  results: string;
  keepLogs?: boolean;
}

function parseOptions(argv: string[]): CliOptions {
  const command = new Command('chaos');
  const opts = command
    .description(
      'Faults drawn from a seed against a private cluster under traffic; checks that no message is lost, duplicated or reordered',
    )
    .option('--duration <s>', 'how long the traffic and the faults last', positive, 60)
    .option('--seed <n>', 'draws the fault schedule (default: from the clock, printed)', whole)
    .option('--json <file>', 'where the JSON goes (default: bench/results/chaos-<time>.json)')
    .addOption(
      new Option(
        '--store <store>',
        "the cluster's room log: memory, one Redis, Redis with Sentinel, a Redis Cluster (each started for the run)",
      )
        .choices(CHAOS_STORES)
        .default('memory'),
    )
    .option('--rooms <n>', 'rooms', whole, 20)
    .option('--members <n>', 'verifying members per room, besides its sender', whole, 3)
    .option('--rooms-per-connection <n>', 'rooms each connection follows (its home room and the next ones)', whole, 3)
    .option('--no-multi-device', 'every user on one connection (else some are on two, with AUTH_SECRET and signed tokens)')
    .option('--rate <n>', 'messages per second over all rooms', positive, 50)
    .option('--connectors <n>', 'connectors at the start', whole, 3)
    .option('--chats <n>', 'chat servers at the start', whole, 3)
    .option('--pause <s>', 'mean pause between faults', positive, 4)
    .option(
      '--faults <kinds>',
      `comma-separated: ${FAULT_KINDS.join(', ')} (restart: graceful-restart; the Redis ones need --store sentinel or cluster; default: every kind the store allows)`,
      kindList,
    )
    .option('--every-kind', 'go on past --duration until every kind of --faults has run once')
    .option('--keep-logs', "keep the servers' and Redis's logs beside the results also when the run passes")
    .option('--results <dir>', 'where the JSON goes without --json', path.join(projectRoot(), 'bench/results'))
    .parse(argv)
    .opts<
      { duration: number; seed?: number; pause: number; faults?: FaultKind[] } & Omit<CliOptions, 'durationS' | 'seed' | 'pauseS' | 'kinds'>
    >();
  const { duration, seed, pause, faults, ...rest } = opts;
  const allowed = faultKindsFor(rest.store);
  const refused = (faults ?? []).filter((kind) => !allowed.includes(kind));
  if (refused.length > 0) {
    const needs = refused.some((k) => (REDIS_FAULT_KINDS as readonly string[]).includes(k))
      ? ' (a Redis with replicas: --store sentinel or cluster)'
      : '';
    command.error(`error: --faults ${refused.join(',')} cannot run on --store ${rest.store}${needs}`);
  }
  return { ...rest, durationS: duration, seed: seed ?? Date.now() % 2 ** 31, pauseS: pause, kinds: faults ?? [...allowed] };
}

/** Set on Ctrl-C: the run's own failure that follows is no news, and the signal handler exits. */
let interrupted = false;

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const startedAt = new Date();
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const run = new ChaosRun(options, log);
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = true;
    log(`\n${signal}: stopping everything the chaos run started (pids ${run.startedPids().join(' ') || 'none yet'})`);
    void run.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  log(
    `chaos --duration ${options.durationS} --seed ${options.seed} --store ${options.store}: ${options.rooms} rooms, ` +
      `${options.rate} messages/s, ${options.connectors} connectors, ${options.chats} chat servers; load average ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
  );
  const file = options.json ? path.resolve(options.json) : reportFile(options.results, startedAt, 'chaos-');
  // A run that fails (or asked to) keeps every server's log beside its results.
  const logs = file.replace(/(\.json)?$/, '-logs');
  const keepLogs = (): void => {
    run.keepLogs(logs);
    log(`the servers' and Redis's logs: ${path.relative(process.cwd(), logs)}`);
  };
  let result;
  try {
    result = await run.run();
    if (options.keepLogs || failures(result, []).length > 0) keepLogs();
  } catch (err) {
    if (!interrupted) keepLogs();
    throw err;
  } finally {
    const stopping = Date.now();
    await run.stop();
    log(`everything stopped in ${((Date.now() - stopping) / 1000).toFixed(1)} s`);
  }
  const stillAlive = run.startedPids().filter(isAlive);
  const reasons = failures(result, stillAlive);
  log(`\n${renderChaosReport(result)}`);
  const { lost, duplicated, outOfOrder, unexplainedNotices } = result.evidence;
  for (const line of [...lost, ...duplicated, ...outOfOrder, ...unexplainedNotices].slice(0, 10)) log(`evidence: ${JSON.stringify(line)}`);

  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: process.argv.slice(2),
    options,
    machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg() },
    passed: reasons.length === 0,
    failures: reasons,
    ...result,
    stillAlive,
  };
  writeJson(file, report);
  const plot = file.replace(/(\.json)?$/, '.html');
  writeChaosPlot(plot, result.timeline, result.faults, `--seed ${options.seed} --store ${options.store}, ${startedAt.toISOString()}`);
  log(`\nresults: ${path.relative(process.cwd(), file)}\nplot: ${path.relative(process.cwd(), plot)}`);
  const { line, exitCode } = outcome(reasons);
  log(line);
  process.exitCode = exitCode;
}

main().catch((err: unknown) => {
  if (interrupted) return;
  process.stderr.write(`chaos failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
