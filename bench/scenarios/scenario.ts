/** What every scenario gets and gives back. */
import type { LoadPool } from '../load/load-pool';
import type { BenchUser } from '../load/worker-messages';
import type { Target } from '../targets/target';

export interface ScenarioContext {
  target: Target;
  pool: LoadPool;
  log: (line: string) => void;
  /** Caps the number of load steps (the smoke test runs a couple). */
  maxSteps?: number;
  /**
   * The peak (deliveries/s) the first target of this run reached in this scenario: the later targets are
   * measured at half of it and at a tenth of it too, so that every target is compared at the same load.
   */
  referencePeak?: number;
  /** This target's name, and the peaks the targets before it reached in this scenario and run, in order. */
  targetName?: string;
  earlierPeaks?: { target: string; peak: number }[];
}

/** One figure of a scenario on one target. */
export interface Figure {
  name: string;
  unit: string;
  value: number;
}

export interface ScenarioResult {
  figures: Figure[];
  /** Everything measured on the way (steps, per-process numbers), for the JSON. */
  details: Record<string, unknown>;
}

/** `count` users in rooms of `roomSize`: `u<i>` in `<prefix><i / roomSize>`. */
export function usersInRooms(count: number, roomSize: number, prefix: string): BenchUser[] {
  return Array.from({ length: count }, (_v, i) => ({ username: `u${i}`, rid: `${prefix}${Math.floor(i / roomSize)}` }));
}

/** Throws unless every user entered: a scenario on half its users measures nothing. */
export function requireAllEntered(entered: { entered: number; failed: number; firstError?: string }): void {
  if (entered.failed > 0) throw new Error(`${entered.failed} users could not enter (first error: ${entered.firstError ?? '?'})`);
}
