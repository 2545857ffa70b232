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

export interface Sizes {
  chat: StepUpSize;
  bigRoom: StepUpSize;
  join: { users: number; roomSize: number };
  idle: { users: number; roomSize: number; settleMs: number };
}

export const SIZES: Record<SizeName, Sizes> = {
  full: {
    chat: { clients: 1000, roomSize: 20, startDeliveries: 8000, factor: 1.4, maxSteps: 16, warmupMs: 1000, windowMs: 3000 },
    bigRoom: { clients: 500, roomSize: 500, startDeliveries: 8000, factor: 1.4, maxSteps: 16, warmupMs: 1000, windowMs: 3000 },
    join: { users: 2000, roomSize: 20 },
    idle: { users: 5000, roomSize: 20, settleMs: 2000 },
  },
  quick: {
    chat: { clients: 200, roomSize: 20, startDeliveries: 8000, factor: 1.6, maxSteps: 11, warmupMs: 400, windowMs: 1200 },
    bigRoom: { clients: 100, roomSize: 100, startDeliveries: 8000, factor: 1.6, maxSteps: 11, warmupMs: 400, windowMs: 1200 },
    join: { users: 300, roomSize: 20 },
    idle: { users: 500, roomSize: 20, settleMs: 1000 },
  },
};

export const SCENARIOS = ['chat', 'bigRoom', 'join', 'idle'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
