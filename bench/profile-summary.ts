/**
 * Where a .cpuprofile's time goes: self time by function and by package, top N.
 * `node dist/bench/profile-summary.js <file.cpuprofile>... [--top 25] [--from <s>] [--to <s>]`
 * `--from`/`--to`: only the samples between those seconds after the profile's start (a load step or a join
 * storm, not the start-up, which loads every module); the busy time per second printed first shows where.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** `socket.io`, `engine.io`, `ws`, `(node)`, `(ours)` or `(v8)`, from a frame's URL. */
function packageOf(url: string): string {
  const at = url.lastIndexOf('node_modules/');
  if (at >= 0) {
    const rest = url.slice(at + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return '(node)';
  if (url === '') return '(v8)';
  return '(ours)';
}

/** [first, end) sample indexes between `from` and `to` seconds after the profile's start (all of it without them). */
function sampleRange(profile: CpuProfile, fromS = 0, toS = Infinity): [number, number] {
  let at = 0;
  let first = profile.samples.length;
  let end = profile.samples.length;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < fromS * 1e6) continue;
    first = Math.min(first, i);
    if (at > toS * 1e6) {
      end = i;
      break;
    }
  }
  return [first, end];
}

/** Busy milliseconds in each second of the profile, to find a load step or a storm for `--from`/`--to`. */
function timeline(profile: CpuProfile, isIdle: (id: number) => boolean): string {
  const perSecond: number[] = [];
  let at = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    const second = Math.floor(at / 1e6);
    perSecond[second] = (perSecond[second] ?? 0) + (isIdle(id) ? 0 : (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return ` busy ms per second: ${Array.from(perSecond, (ms = 0) => Math.round(ms)).join(' ')}`;
}

function summarize(file: string, top: number, fromS?: number, toS?: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const isIdle = (id: number): boolean => byId.get(id)?.callFrame.functionName === '(idle)';
  const [first, end] = sampleRange(profile, fromS, toS);
  const selfUs = new Map<number, number>();
  for (let i = first; i < end; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    total += us;
    if (functionName === '(idle)') idle += us;
    const name = `${functionName || '(anonymous)'} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    if (functionName !== '(idle)') byPackage.set(packageOf(url), (byPackage.get(packageOf(url)) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us: number): string => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
  const rows = (map: Map<string, number>): string[] =>
    [...map]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => `  ${pct(us)}  ${name}`);
  return [
    `${path.basename(file)}: busy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s`,
    timeline(profile, isIdle),
    ' by package (self time, share of busy):',
    ...rows(byPackage),
    ' by function:',
    ...rows(byFunction),
  ].join('\n');
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
const option = (name: string): number | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args.splice(at, 2)[1]) : undefined;
};
const fromS = option('--from');
const toS = option('--to');
for (const file of args) process.stdout.write(`${summarize(file, top, fromS, toS)}\n\n`);
