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
  /**
   * The window of the fixed-load rows (half the peak, a tenth of the reference's...): longer than a step's, so
   * that their p99, which the targets are compared on, rests on more messages than the slowest few.
   */
  fixedLoadWindowMs: number;
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

/** Multi-room: every client enters one room and joins `roomsPerClient - 1` more, rooms of `roomSize` members. */
export interface MultiRoomSize extends StepUpSize {
  roomsPerClient: number;
  /** Wait after the enters and after the joins before memory is read. */
  settleMs: number;
}

/** Presence storm: `users` enter one room. */
export interface PresenceSize {
  users: number;
  /** Wait after the last enter for the presence pushes still on their way. */
  settleMs: number;
}

export interface Sizes {
  chat: StepUpSize;
  bigRoom: StepUpSize;
  join: { users: number; roomSize: number };
  idle: { users: number; roomSize: number; settleMs: number };
  scale: ScaleSize;
  multiRoom: MultiRoomSize;
  presence: PresenceSize;
}

type Steps = Omit<StepUpSize, 'clients' | 'roomSize'>;
/** How the chat, big-room and multi-room scenarios step the load up, at each size. */
const FULL_STEPS: Steps = { startDeliveries: 8000, factor: 1.4, maxSteps: 16, warmupMs: 1000, windowMs: 3000, fixedLoadWindowMs: 10_000 };
const QUICK_STEPS: Steps = { startDeliveries: 8000, factor: 1.6, maxSteps: 11, warmupMs: 400, windowMs: 1200, fixedLoadWindowMs: 2400 };

export const SIZES: Record<SizeName, Sizes> = {
  full: {
    chat: { clients: 1000, roomSize: 20, ...FULL_STEPS },
    bigRoom: { clients: 500, roomSize: 500, ...FULL_STEPS },
    join: { users: 2000, roomSize: 20 },
    idle: { users: 5000, roomSize: 20, settleMs: 2000 },
    scale: { clients: 1000, roomSize: 20, deliveries: 4000, processes: [2, 4, 8], warmupMs: 1000, windowMs: 5000 },
    multiRoom: {
      clients: 1000,
      roomSize: 20,
      roomsPerClient: 5,
      ...FULL_STEPS,
      settleMs: 2000,
    },
    presence: { users: 5000, settleMs: 2000 },
  },
  quick: {
    chat: { clients: 200, roomSize: 20, ...QUICK_STEPS },
    bigRoom: { clients: 100, roomSize: 100, ...QUICK_STEPS },
    join: { users: 300, roomSize: 20 },
    idle: { users: 500, roomSize: 20, settleMs: 1000 },
    scale: { clients: 200, roomSize: 20, deliveries: 4000, processes: [2, 4, 8], warmupMs: 500, windowMs: 2000 },
    multiRoom: {
      clients: 200,
      roomSize: 20,
      roomsPerClient: 5,
      ...QUICK_STEPS,
      settleMs: 1000,
    },
    presence: { users: 1500, settleMs: 1000 },
  },
};

export const SCENARIOS = ['chat', 'bigRoom', 'join', 'idle', 'multiRoom', 'presence', 'scale'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
/** What `npm run bench` runs without --only: the scale-out count starts 6 layouts, so it runs when asked for. */
export const DEFAULT_SCENARIOS: readonly ScenarioName[] = ['chat', 'bigRoom', 'join', 'idle', 'multiRoom', 'presence'];

/** What the size flags of `npm run bench` override. */
export interface SizeOverrides {
  multiRoomClients?: number;
  roomsPerClient?: number;
  multiRoomSize?: number;
  presenceUsers?: number;
}

/** `sizes` with the flags' numbers in place of its own. */
export function withOverrides(sizes: Sizes, o: SizeOverrides): Sizes {
  return {
    ...sizes,
    multiRoom: {
      ...sizes.multiRoom,
      ...(o.multiRoomClients !== undefined && { clients: o.multiRoomClients }),
      ...(o.roomsPerClient !== undefined && { roomsPerClient: o.roomsPerClient }),
      ...(o.multiRoomSize !== undefined && { roomSize: o.multiRoomSize }),
    },
    presence: { ...sizes.presence, ...(o.presenceUsers !== undefined && { users: o.presenceUsers }) },
  };
}
