/** Scenario sizes: `quick` and `full` run the same code with different numbers. */
export type SizeName = 'quick' | 'full';

export interface StepUpSize {
  clients: number;
  roomSize: number;
  /** Offered deliveries per second at the first step; each next step offers `factor` times more. */
  startDeliveries: number;
  factor: number;
  maxSteps: number;
  warmupMs: number;
  windowMs: number;
}

/** The scale-out count: one fixed chat load on every layout. */
export interface ScaleSize {
  clients: number;
  roomSize: number;
  /** Offered deliveries per second: moderate, so that every layout keeps up on 2 cores. */
  deliveries: number;
  /** Connectors and chat servers of the cluster, and workers of the adapter, per run. */
  processes: number[];
  warmupMs: number;
  windowMs: number;
}

export interface Sizes {
  chat: StepUpSize;
  bigRoom: StepUpSize;
  join: { users: number; roomSize: number };
  idle: { users: number; roomSize: number; settleMs: number };
  scale: ScaleSize;
}

export const SIZES: Record<SizeName, Sizes> = {
  full: {
    chat: { clients: 1000, roomSize: 20, startDeliveries: 8000, factor: 1.4, maxSteps: 16, warmupMs: 1000, windowMs: 3000 },
    bigRoom: { clients: 500, roomSize: 500, startDeliveries: 8000, factor: 1.4, maxSteps: 16, warmupMs: 1000, windowMs: 3000 },
    join: { users: 2000, roomSize: 20 },
    idle: { users: 5000, roomSize: 20, settleMs: 2000 },
    scale: { clients: 1000, roomSize: 20, deliveries: 4000, processes: [2, 4, 8], warmupMs: 1000, windowMs: 5000 },
  },
  quick: {
    chat: { clients: 200, roomSize: 20, startDeliveries: 8000, factor: 1.6, maxSteps: 11, warmupMs: 400, windowMs: 1200 },
    bigRoom: { clients: 100, roomSize: 100, startDeliveries: 8000, factor: 1.6, maxSteps: 11, warmupMs: 400, windowMs: 1200 },
    join: { users: 300, roomSize: 20 },
    idle: { users: 500, roomSize: 20, settleMs: 1000 },
    scale: { clients: 200, roomSize: 20, deliveries: 4000, processes: [2, 4, 8], warmupMs: 500, windowMs: 2000 },
  },
};

export const SCENARIOS = ['chat', 'bigRoom', 'join', 'idle', 'scale'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
/** What `npm run bench` runs without --only: the scale-out count starts 6 layouts, so it runs when asked for. */
export const DEFAULT_SCENARIOS: readonly ScenarioName[] = ['chat', 'bigRoom', 'join', 'idle'];
