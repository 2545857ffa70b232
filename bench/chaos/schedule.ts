/**
 * The fault schedule of a chaos run, drawn from its seed alone: the same seed gives the same faults,
 * targets, pauses and hold times, whatever the machine does (only when each fault starts depends on
 * how long the previous one took).
 */
export const CLUSTER_FAULT_KINDS = [
  'kill-chat',
  'kill-connector',
  'kill-gate',
  'graceful-restart',
  'reload',
  'scale-out',
  'scale-in',
  'partition',
] as const;
/** Faults of Redis itself: only on a Redis with replicas to take over (--store sentinel or cluster). */
export const REDIS_FAULT_KINDS = ['kill-redis-primary', 'restart-redis'] as const;
export const FAULT_KINDS = [...CLUSTER_FAULT_KINDS, ...REDIS_FAULT_KINDS] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The stores a chaos run can start its cluster on: memory, one Redis, Redis with Sentinel, a Redis Cluster. */
export const CHAOS_STORES = ['memory', 'redis', 'sentinel', 'cluster'] as const;
export type ChaosStore = (typeof CHAOS_STORES)[number];

/** The kinds a run on `store` can carry out. */
export const faultKindsFor = (store: ChaosStore): readonly FaultKind[] =>
  store === 'sentinel' || store === 'cluster' ? FAULT_KINDS : CLUSTER_FAULT_KINDS;

/** The servers a run starts with, by id (as in generateLayout: gate-server-1, connector-server-N, chat-server-N). */
export interface StartLayout {
  connectors: number;
  chats: number;
}

export interface PlannedFault {
  kind: FaultKind;
  /** A server id; for scale-out and scale-in the ids added or removed, joined by `+`; for reload, ecosystem.config.js. */
  target: string;
  /** The pause before it starts, after the previous fault ended (ms). */
  pauseMs: number;
  /** partition: how long the server stays cut off (ms). */
  holdMs?: number;
}

/** mulberry32: a small, fast PRNG of 32-bit state; good enough to draw a schedule. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ScheduleOptions {
  /** Mean pause between faults (ms); each pause is drawn from half to one and a half times it. */
  meanPauseMs: number;
  /** How many faults to draw (the run executes those that fit in its time). */
  count: number;
  /** The kinds to draw from (default: the cluster's own, no Redis faults); scale-in only with scale-out. */
  kinds?: readonly FaultKind[];
}

/**
 * Draws `count` faults. The first ones are every kind once in a seeded order (scale-in after
 * scale-out), so that even a short run meets most kinds; the rest are drawn at random. Targets come
 * from the servers there are at that point: a scale-out adds a chat server, a connector or both
 * (`chat-server-<n+1>`, ...), and the next scale-in removes what it added.
 */
export function drawSchedule(
  seed: number,
  layout: StartLayout,
  { meanPauseMs, count, kinds = CLUSTER_FAULT_KINDS }: ScheduleOptions,
): PlannedFault[] {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const chats = Array.from({ length: layout.chats }, (_, i) => `chat-server-${i + 1}`);
  const connectors = Array.from({ length: layout.connectors }, (_, i) => `connector-server-${i + 1}`);
  let added: string[] = [];
  let nextChat = layout.chats + 1;
  let nextConnector = layout.connectors + 1;

  // Only the kinds asked for: a scale-out left out must not add servers that later faults would target.
  const deck = shuffle(
    FAULT_KINDS.filter((k) => kinds.includes(k)),
    random,
  );
  if (deck.includes('scale-in') && deck.indexOf('scale-in') < deck.indexOf('scale-out')) {
    const [i, o] = [deck.indexOf('scale-in'), deck.indexOf('scale-out')];
    [deck[i], deck[o]] = [deck[o]!, deck[i]!];
  }

  const faults: PlannedFault[] = [];
  for (let n = 0; n < count; n++) {
    let kind: FaultKind;
    if (n < deck.length) kind = deck[n]!;
    else {
      const allowed = FAULT_KINDS.filter((k) => kinds.includes(k) && (added.length > 0 ? k !== 'scale-out' : k !== 'scale-in'));
      // Only scale-out, done once: nothing more to draw.
      if (allowed.length === 0) break;
      kind = pick(allowed);
    }
    const pauseMs = Math.round(meanPauseMs * (0.5 + random()));
    let target: string;
    let holdMs: number | undefined;
    switch (kind) {
      case 'kill-chat':
        target = pick(chats);
        break;
      case 'kill-connector':
        target = pick(connectors);
        break;
      case 'kill-gate':
        target = 'gate-server-1';
        break;
      case 'kill-redis-primary':
        target = 'redis-primary';
        break;
      case 'restart-redis':
        target = 'redis-replica';
        break;
      case 'graceful-restart':
        target = pick(['gate-server-1', ...connectors, ...chats]);
        break;
      case 'reload':
        // pm2 reload of the whole ecosystem: every server.
        target = 'ecosystem.config.js';
        break;
      case 'partition':
        target = pick([...connectors, ...chats]);
        holdMs = Math.round(2000 + random() * 3000);
        break;
      case 'scale-out': {
        const what = pick(['chat', 'connector', 'both'] as const);
        added = [];
        if (what !== 'connector') added.push(`chat-server-${nextChat++}`);
        if (what !== 'chat') added.push(`connector-server-${nextConnector++}`);
        chats.push(...added.filter((id) => id.startsWith('chat-')));
        connectors.push(...added.filter((id) => id.startsWith('connector-')));
        target = added.join('+');
        break;
      }
      case 'scale-in':
        target = added.join('+');
        for (const id of added) for (const list of [chats, connectors]) if (list.includes(id)) list.splice(list.indexOf(id), 1);
        added = [];
        break;
    }
    faults.push({ kind, target, pauseMs, ...(holdMs !== undefined && { holdMs }) });
  }
  return faults;
}

function shuffle<T>(list: T[], random: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}
