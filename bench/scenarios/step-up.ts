/**
 * The chat and big-room scenarios: users in rooms send at a steady, stepped-up rate until delivery
 * lags; the peak is the most deliveries a second of a step that kept up, and latency is measured
 * again at half that peak, and at half and a tenth of the reference peak (the first target's, so that
 * every target is measured at the same loads) on servers warmed by the steps. One `onChat` received is
 * one delivery.
 */
import { HOP_METRIC, hopBuckets, hopLatencyBetween, type HopBuckets, type HopLatency } from '../hop-latency';
import { LAG_METRIC, LAG_P99_METRIC, loopLagP99Ms } from '../loop-lag';
import { CORES, cpuDuring, type CoreWaits } from '../proc-stats';
import type { StepUpSize } from '../sizes';
import { sleep } from '../../game-server/sleep';
import { requireAllEntered, usersInRooms, type Figure, type ScenarioContext, type ScenarioResult } from './scenario';

/** A step lags when fewer than this share of the expected deliveries arrived in its window... */
const MIN_DELIVERED_SHARE = 0.9;
/** ...or the load generator could not send this share of the offered rate... */
const MIN_SENT_SHARE = 0.9;
/** ...or p99 latency went past this (queues grow), or requests failed. */
const MAX_P99_MS = 250;
const MAX_ERROR_SHARE = 0.01;
const DRAIN_TIMEOUT_MS = 15_000;
/** Lagging steps measured a second time, per scenario. */
const MAX_RETRIES = 2;
/** Light load: this share of the reference peak. */
const LIGHT_LOAD_SHARE = 0.1;

export interface StepResult {
  offeredSendsPerSec: number;
  sentPerSec: number;
  deliveredPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  firstError?: string;
  /** Server processes' CPU per delivery, µs. */
  serverCpuUsPerDelivery: number;
  /** Share of the machine's cores the load generators used in the window. */
  loadGenCpuShare: number;
  serverCpuShare: number;
  /** Each server process's CPU, as a share of one core. */
  processCpuShare: Record<string, number>;
  /** Each server process's mean wait for a core each time it ran (woken and runnable, the cores busy), µs. */
  processCoreWaitUs: Record<string, number>;
  /** The same over every server process. */
  coreWaitUs: number;
  /** The cluster's per-hop latency in the window, from its servers' message_hop_seconds (absent on other targets). */
  hops?: Record<string, HopLatency>;
  /** Each server's event-loop delay p99 in the window, ms (absent on other targets). */
  loopLagP99Ms?: Record<string, number>;
  lagging: boolean;
  /** When the measured window began (ms since the epoch): to find it in a profile or a server's log. */
  windowStartedAt: number;
}

const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

/** Mean wait for a core per run of these processes together, µs. */
function waitPerRunUs(waits: readonly CoreWaits[]): number {
  const runs = waits.reduce((n, w) => n + w.runs, 0);
  return runs === 0 ? 0 : round(waits.reduce((n, w) => n + w.waitNs, 0) / runs / 1000, 1);
}

interface ServerReadings {
  hops: HopBuckets;
  /** Since the previous reading. */
  loopLagP99Ms: Record<string, number>;
}

/**
 * The target's hop histograms and event-loop delays now, if its servers keep them. A server too busy to
 * answer in time (a loaded machine) leaves the step without them rather than ending the scenario.
 */
async function readServers(ctx: ScenarioContext): Promise<ServerReadings | undefined> {
  if (!ctx.target.metrics) return undefined;
  try {
    const snapshots = await ctx.target.metrics([HOP_METRIC, LAG_METRIC, LAG_P99_METRIC]);
    return { hops: hopBuckets(snapshots.values()), loopLagP99Ms: loopLagP99Ms(snapshots) };
  } catch (err) {
    ctx.log(`  no per-hop latency for this step: ${(err as Error).message}`);
    return undefined;
  }
}

/** One load, `sendsPerSec`, measured over `windowMs` (a step's window unless a fixed-load row's). */
async function measure(ctx: ScenarioContext, size: StepUpSize, sendsPerSec: number, windowMs = size.windowMs): Promise<StepResult> {
  const { pool, target } = ctx;
  const processes = await target.processes();
  const pids = processes.map((p) => p.pid);
  await pool.setRate(sendsPerSec);
  await sleep(size.warmupMs);
  // Read outside the CPU window: asking every server for its metrics costs them a little.
  const before = await readServers(ctx);
  await pool.reset();
  const windowStartedAt = Date.now();
  const {
    result: load,
    ms: perProcess,
    waits,
  } = await cpuDuring(pids, async () => {
    await sleep(windowMs);
    return pool.report();
  });
  const after = before && (await readServers(ctx));
  const serverCpu = perProcess.reduce((n, ms) => n + ms, 0);
  const seconds = load.elapsedMs / 1000;
  const expected = load.sent * size.roomSize;
  const p99 = load.latency.quantile(0.99);
  const lagging =
    load.deliveries < MIN_DELIVERED_SHARE * expected ||
    load.sent < MIN_SENT_SHARE * sendsPerSec * seconds ||
    !(p99 <= MAX_P99_MS) ||
    load.errors > MAX_ERROR_SHARE * load.sent;
  return {
    offeredSendsPerSec: round(sendsPerSec),
    sentPerSec: round(load.sent / seconds),
    deliveredPerSec: Math.round(load.deliveries / seconds),
    p50Ms: round(load.latency.quantile(0.5)),
    p99Ms: round(p99),
    maxMs: round(load.latency.maxMs),
    errors: load.errors,
    ...(load.firstError !== undefined && { firstError: load.firstError }),
    serverCpuUsPerDelivery: round((serverCpu * 1000) / Math.max(1, load.deliveries)),
    loadGenCpuShare: round(load.cpuMs / load.elapsedMs / CORES, 3),
    serverCpuShare: round(serverCpu / load.elapsedMs / CORES, 3),
    processCpuShare: Object.fromEntries(processes.map((p, i) => [p.name, round(perProcess[i]! / load.elapsedMs, 3)])),
    processCoreWaitUs: Object.fromEntries(processes.map((p, i) => [p.name, waitPerRunUs([waits[i]!])])),
    coreWaitUs: waitPerRunUs(waits),
    ...(before && after && { hops: hopLatencyBetween(before.hops, after.hops), loopLagP99Ms: after.loopLagP99Ms }),
    lagging,
    windowStartedAt,
  };
}

/** The fixed loads' window: a smoke run (`--steps`) checks that they are measured, not what they measure. */
const fixedLoadWindow = (ctx: ScenarioContext, size: StepUpSize): number =>
  ctx.maxSteps === undefined ? size.fixedLoadWindowMs : size.windowMs;

/** Stops sending and waits until the deliveries still queued have arrived. */
async function drain(ctx: ScenarioContext): Promise<void> {
  await ctx.pool.setRate(0);
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  await ctx.pool.reset();
  while (Date.now() < deadline) {
    await sleep(500);
    if ((await ctx.pool.report()).deliveries === 0) return;
    await ctx.pool.reset();
  }
}

const describe = (s: StepResult): string =>
  `offered ${s.offeredSendsPerSec}/s sent ${s.sentPerSec}/s delivered ${s.deliveredPerSec}/s p50 ${s.p50Ms} p99 ${s.p99Ms} max ${s.maxMs} ms` +
  ` server cpu ${(s.serverCpuShare * 100).toFixed(0)}% [${Object.values(s.processCpuShare)
    .map((c) => (c * 100).toFixed(0))
    .join(' ')}] core wait per run [${Object.values(s.processCoreWaitUs).join(' ')}] µs` +
  ` loadgen cpu ${(s.loadGenCpuShare * 100).toFixed(0)}%${s.lagging ? ' LAG' : ''}` +
  `${s.errors > 0 ? ` errors ${s.errors} (${s.firstError ?? ''})` : ''}` +
  (s.hops
    ? `\n    p99 per hop: ${Object.entries(s.hops)
        .map(([hop, h]) => `${hop} ${h.p99Ms} ms (${h.count})`)
        .join(', ')}`
    : '') +
  (s.loopLagP99Ms
    ? `\n    event-loop delay p99: ${Object.entries(s.loopLagP99Ms)
        .map(([server, ms]) => `${server} ${ms} ms`)
        .join(', ')}`
    : '');

export async function runStepUp(ctx: ScenarioContext, size: StepUpSize, roomPrefix: string): Promise<ScenarioResult> {
  const users = usersInRooms(size.clients, size.roomSize, roomPrefix);
  const entered = await ctx.pool.enter(ctx.target.gate, users);
  requireAllEntered(entered);
  return stepUp(ctx, size);
}

/**
 * The steps, on users already in rooms of `size.roomSize` members each (any number of rooms per user: one
 * message reaches its room's members); disconnects them at the end.
 */
export async function stepUp(ctx: ScenarioContext, size: StepUpSize): Promise<ScenarioResult> {
  const steps: StepResult[] = [];
  const maxSteps = Math.min(size.maxSteps, ctx.maxSteps ?? Infinity);
  let sends = size.startDeliveries / size.roomSize;
  let retried = 0;
  for (let i = 0; i < maxSteps; i++) {
    let step = await measure(ctx, size, sends);
    ctx.log(`  step ${i + 1}: ${describe(step)}`);
    // A stall of the machine (other work on its two cores) can make one step lag: a lag counts once it repeats.
    if (step.lagging && retried < MAX_RETRIES && ctx.maxSteps === undefined) {
      retried++;
      await drain(ctx);
      step = await measure(ctx, size, sends);
      ctx.log(`  step ${i + 1} again: ${describe(step)}`);
    }
    steps.push(step);
    if (step.lagging) break;
    sends *= size.factor;
  }
  // One more step between the last that kept up and the first that lagged narrows the peak down.
  const good = steps.filter((s) => !s.lagging);
  const lag = steps.find((s) => s.lagging);
  const lastGood = good[good.length - 1];
  if (lastGood && lag && ctx.maxSteps === undefined) {
    await drain(ctx);
    const step = await measure(ctx, size, Math.sqrt(lastGood.offeredSendsPerSec * lag.offeredSendsPerSec));
    steps.push(step);
    ctx.log(`  refine: ${describe(step)}`);
  }
  const kept = steps.filter((s) => !s.lagging);
  const candidates = kept.length > 0 ? kept : steps;
  const peakStep = candidates.reduce((best, s) => (s.deliveredPerSec > best.deliveredPerSec ? s : best));
  const peak = peakStep.deliveredPerSec;
  await drain(ctx);
  const fixedMs = fixedLoadWindow(ctx, size);
  let half = await measure(ctx, size, (peak * 0.5) / size.roomSize, fixedMs);
  ctx.log(`  at 50% of peak: ${describe(half)}`);
  if (half.lagging && ctx.maxSteps === undefined) {
    // Half the peak lagging is a stall of the machine, not of the servers: measure once more.
    await drain(ctx);
    half = await measure(ctx, size, (peak * 0.5) / size.roomSize, fixedMs);
    ctx.log(`  at 50% of peak, again: ${describe(half)}`);
  }
  const reference = ctx.referencePeak ?? peak;
  let atReferenceHalf = half;
  if (ctx.referencePeak !== undefined) {
    // The first target's half peak may be past this one's peak: then it lags, which is the finding.
    await drain(ctx);
    atReferenceHalf = await measure(ctx, size, (reference * 0.5) / size.roomSize, fixedMs);
    ctx.log(`  at 50% of the reference peak (${Math.round(reference * 0.5)} deliveries/s offered): ${describe(atReferenceHalf)}`);
  }
  // The first steps run on servers just started (code not yet optimised, heaps still growing); this
  // measures the same light load once every process has run the whole path for a while.
  await drain(ctx);
  const lightDeliveries = reference * LIGHT_LOAD_SHARE;
  const light = await measure(ctx, size, lightDeliveries / size.roomSize, fixedMs);
  ctx.log(`  light load (${Math.round(lightDeliveries)} deliveries/s offered): ${describe(light)}`);
  const sameLoads = await atEveryPeaksLoads(ctx, size, {
    peak,
    half,
    tenth: ctx.referencePeak === undefined ? light : undefined,
    referenceHalf: atReferenceHalf,
    referenceTenth: light,
  });
  await ctx.pool.setRate(0);
  await ctx.pool.disconnectAll();
  const figures: Figure[] = [
    { name: 'peak delivered', unit: 'msg/s', value: peak },
    { name: 'p50 at 50% of peak', unit: 'ms', value: half.p50Ms },
    { name: 'p99 at 50% of peak', unit: 'ms', value: half.p99Ms },
    { name: 'max at 50% of peak', unit: 'ms', value: half.maxMs },
    { name: 'server CPU per delivery at 50%', unit: 'µs', value: half.serverCpuUsPerDelivery },
    { name: 'server CPU per delivery at peak', unit: 'µs', value: peakStep.serverCpuUsPerDelivery },
    { name: 'server wait for a core per run at 50%', unit: 'µs', value: half.coreWaitUs },
    { name: 'server wait for a core per run at light load', unit: 'µs', value: light.coreWaitUs },
    { name: 'load generator CPU at 50%', unit: `% of ${CORES} cores`, value: round(half.loadGenCpuShare * 100, 1) },
    { name: 'reference peak (first target)', unit: 'msg/s', value: reference },
    { name: 'p99 at 50% of the reference peak', unit: 'ms', value: atReferenceHalf.p99Ms },
    { name: 'delivered at 50% of the reference peak', unit: 'msg/s', value: atReferenceHalf.deliveredPerSec },
    { name: 'light load offered', unit: 'msg/s', value: Math.round(lightDeliveries) },
    { name: 'p50 at light load', unit: 'ms', value: light.p50Ms },
    { name: 'p99 at light load', unit: 'ms', value: light.p99Ms },
    ...sameLoads.map(([name, step]) => ({ name, unit: 'ms', value: step.p99Ms })),
    // Where the cluster's time went at half its peak: each hop's own p99 (they do not add up to the end-to-end p99).
    ...Object.entries(half.hops ?? {}).map(([hop, h]) => ({ name: `p99 at 50% of peak, hop ${hop}`, unit: 'ms', value: h.p99Ms })),
    // How long a server's ready work waited for its event loop then (a reply, a push batch).
    ...Object.entries(half.loopLagP99Ms ?? {}).map(([server, ms]) => ({
      name: `p99 at 50% of peak, event-loop delay, ${server}`,
      unit: 'ms',
      value: ms,
    })),
  ];
  return {
    figures,
    details: {
      clients: size.clients,
      roomSize: size.roomSize,
      peakFoundWithoutLag: kept.length > 0,
      steps,
      atHalfPeak: half,
      atReferenceHalf,
      atLightLoad: light,
      atEveryPeaksLoads: Object.fromEntries(sameLoads),
    },
  };
}

interface Measured {
  peak: number;
  half: StepResult;
  /** This target's own tenth, when already measured (the first target's light load). */
  tenth: StepResult | undefined;
  referenceHalf: StepResult;
  referenceTenth: StepResult;
}

/**
 * Every target measured at half and at a tenth of its own peak and of each earlier target's in this run
 * (`p99 at 50% of baseline's peak`...): with `--target baseline,adapter-bare,cluster` the cluster's tail is
 * compared at the baseline's light load and at half the bare adapter's peak in one invocation. Loads
 * already measured (own half, the first target's half and tenth) are not measured again.
 */
async function atEveryPeaksLoads(ctx: ScenarioContext, size: StepUpSize, own: Measured): Promise<[string, StepResult][]> {
  if (ctx.targetName === undefined) return [];
  const peaks = [...(ctx.earlierPeaks ?? []), { target: ctx.targetName, peak: own.peak }];
  const measured: [string, StepResult][] = [];
  for (const [i, { target, peak }] of peaks.entries()) {
    const self = target === ctx.targetName;
    const first = i === 0 && !self;
    // Loads measured already: this target's own half (and tenth, if it is the first), the first target's half and tenth.
    const known = self ? [own.half, own.tenth] : first ? [own.referenceHalf, own.referenceTenth] : [undefined, undefined];
    for (const [share, label, already] of [
      [0.5, `p99 at 50% of ${target}'s peak`, known[0]],
      [LIGHT_LOAD_SHARE, `p99 at a tenth of ${target}'s peak`, known[1]],
    ] as const) {
      let step = already;
      if (!step) {
        await drain(ctx);
        step = await measure(ctx, size, (peak * share) / size.roomSize, fixedLoadWindow(ctx, size));
        ctx.log(`  at ${share * 100}% of ${target}'s peak (${Math.round(peak * share)} deliveries/s offered): ${describe(step)}`);
      }
      measured.push([label, step]);
    }
  }
  return measured;
}
