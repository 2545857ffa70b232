import { listeningPort } from '../../game-server/config/server-info';
/** Carries out the faults of a chaos run against the private pm2 cluster, and remembers what each did. */
import { dispatch } from '../../game-server/router/dispatch';
import { PrivatePm2Cluster } from '../../game-server/cli/private-pm2-cluster';
import type { ServerInfo } from '../../game-server/config/server-info';
import { freePorts } from '../../game-server/free-ports';
import { waitForPort, waitForPortClosed } from '../../game-server/net/wait-for-port';
import type { PrivateRedisServer } from '../../game-server/cli/private-redis-server';
import type { FaultKind, PlannedFault } from './schedule';

/** A Redis with replicas to take over (Sentinel, or a Cluster with replicas): what the Redis faults act on. */
export interface FailoverRedis {
  /** Kills a primary with kill -9 and waits until a replica took over; returns the killed server. */
  killPrimary(): Promise<PrivateRedisServer>;
  replica(): Promise<PrivateRedisServer>;
  /** Starts a killed server again, as a replica, and waits until it is in sync. */
  restart(server: PrivateRedisServer): Promise<void>;
}

export interface FaultRecord {
  kind: FaultKind;
  target: string;
  /** When it started, in seconds since the run started. */
  at: number;
  /** How long carrying it out took, until the server was back (or the scale done), ms. */
  tookMs: number;
  /** kill-*, graceful-restart, partition and the Redis faults: the pid that went (or froze), and the one started. */
  pid?: number;
  newPid?: number;
  /** reload: every server's pid before and after. */
  restarted?: { id: string; pid: number; newPid?: number }[];
  /** partition: how long the server was cut off, ms. */
  holdMs?: number;
  /** kill-*: when pm2 started the new process (ms since the epoch); not in the JSON. */
  upAt?: number;
  /** kill-chat, graceful-restart and partition of a chat server: the run's rooms it owned; reload: every room. */
  rooms?: string[];
  /** Absolute times (ms since the epoch) it started and ended; not in the JSON. */
  startedAt: number;
  endedAt: number;
  error?: string;
}

const RESTART_TIMEOUT_MS = 30_000;

/**
 * `partition` is a freeze: SIGSTOP, then SIGCONT after `holdMs`. The runtime's servers listen on the
 * `port` their peers connect to (one servers.json for all), so there is no place for a proxy on one
 * link without changing the runtime; a stopped process is, to every peer and client, a network that
 * went silent (no FIN, no RST) and then came back.
 */
export class FaultRunner {
  private readonly frozen = new Set<number>();
  /** Every pid of a server seen during the run, to check at the end that none outlives it. */
  readonly pids = new Set<number>();
  /** When the run's traffic started (fault times count from it); set by `begin`. */
  private runStartedAt = Date.now();

  constructor(
    private readonly cluster: PrivatePm2Cluster,
    private readonly rids: readonly string[],
    private readonly redis?: FailoverRedis,
  ) {}

  /** The traffic starts: fault times count from now. */
  begin(startedAt: number): void {
    this.runStartedAt = startedAt;
  }

  async run(fault: PlannedFault): Promise<FaultRecord> {
    const startedAt = Date.now();
    const record: FaultRecord = {
      kind: fault.kind,
      target: fault.target,
      at: (startedAt - this.runStartedAt) / 1000,
      tookMs: 0,
      startedAt,
      endedAt: 0,
    };
    try {
      await this.carryOut(fault, record);
    } catch (err) {
      record.error = (err as Error).message.split('\n')[0]!;
    }
    record.endedAt = Date.now();
    record.tookMs = record.endedAt - startedAt;
    await this.notePids();
    return record;
  }

  private async carryOut(fault: PlannedFault, record: FaultRecord): Promise<void> {
    const server = this.cluster.servers.find((s) => s.id === fault.target);
    if (server?.serverType === 'chat') record.rooms = this.roomsOf(server.id);
    switch (fault.kind) {
      case 'kill-chat':
      case 'kill-connector':
      case 'kill-gate': {
        // Watched through the server's port rather than by polling pm2 (each pm2 CLI call is a process start).
        record.pid = await this.cluster.kill9(fault.target);
        this.pids.add(record.pid);
        await waitForPortClosed(...this.address(fault.target), 5000);
        await waitForPort(...this.address(fault.target), RESTART_TIMEOUT_MS);
        const proc = (await this.cluster.list()).find((p) => p.name === fault.target);
        record.newPid = proc?.pid;
        record.upAt = proc?.startedAt;
        return;
      }
      case 'graceful-restart': {
        record.pid = await this.pidOf(fault.target);
        // pm2 restart (SIGINT, then a new process) answers once the new process runs.
        await this.cluster.pm2('restart', fault.target);
        await waitForPort(...this.address(fault.target), RESTART_TIMEOUT_MS);
        record.newPid = (await this.cluster.list()).find((p) => p.name === fault.target)?.pid;
        return;
      }
      case 'reload': {
        // Every server restarted in turn, as an operator's `pm2 reload ecosystem.config.js` does.
        record.rooms = [...this.rids];
        const before = await this.cluster.list();
        for (const proc of before) if (proc.pid) this.pids.add(proc.pid);
        await this.cluster.pm2('reload', 'ecosystem.config.js');
        await Promise.all(this.cluster.servers.map((s) => waitForPort(s.host, listeningPort(s), RESTART_TIMEOUT_MS)));
        const after = await this.cluster.list();
        record.restarted = this.cluster.servers.map(({ id }) => ({
          id,
          pid: before.find((p) => p.name === id)?.pid ?? 0,
          newPid: after.find((p) => p.name === id)?.pid,
        }));
        return;
      }
      case 'partition': {
        const pid = await this.pidOf(fault.target);
        record.pid = pid;
        record.holdMs = fault.holdMs ?? 3000;
        process.kill(pid, 'SIGSTOP');
        this.frozen.add(pid);
        try {
          await new Promise((r) => setTimeout(r, record.holdMs));
        } finally {
          this.thaw(pid);
        }
        return;
      }
      case 'kill-redis-primary':
      case 'restart-redis': {
        if (!this.redis) throw new Error(`${fault.kind} needs a Redis with replicas (--store sentinel or cluster)`);
        // A primary dies and a replica takes over; or a replica restarts (an upgrade, a reboot). Either comes back as a replica.
        const server = fault.kind === 'kill-redis-primary' ? await this.redis.killPrimary() : await this.redis.replica();
        record.pid = server.pid;
        if (fault.kind === 'restart-redis') await server.pause();
        await this.redis.restart(server);
        record.newPid = server.pid;
        for (const pid of [record.pid, record.newPid]) if (pid !== undefined) this.pids.add(pid);
        return;
      }
      case 'scale-out': {
        const ids = fault.target.split('+');
        const added: ServerInfo[] = [];
        for (const id of ids) {
          const host = '127.0.0.1';
          if (id.startsWith('chat-')) {
            const [port] = await freePorts(1);
            added.push({ id, serverType: 'chat', host, port: port! });
          } else {
            const [port, clientPort] = await freePorts(2);
            added.push({ id, serverType: 'connector', host, port: port!, clientPort: clientPort!, frontend: true });
          }
        }
        this.cluster.writeServers([...this.cluster.servers, ...added]);
        await this.cluster.scale();
        return;
      }
      case 'scale-in': {
        const ids = new Set(fault.target.split('+'));
        this.cluster.writeServers(this.cluster.servers.filter((s) => !ids.has(s.id)));
        await this.cluster.scale();
        return;
      }
    }
  }

  /** The rooms of the run that `chatId` owns now (the `chat` route: crc32 of the rid over the chat servers). */
  roomsOf(chatId: string): string[] {
    const chats = this.cluster.servers.filter((s) => s.serverType === 'chat');
    return this.rids.filter((rid) => dispatch(rid, chats).id === chatId);
  }

  private async pidOf(id: string): Promise<number> {
    const proc = (await this.cluster.list()).find((p) => p.name === id);
    if (!proc?.pid) throw new Error(`${id} is not running`);
    this.pids.add(proc.pid);
    return proc.pid;
  }

  /** Where a server listens: its client port (frontends), else its RPC port. */
  private address(id: string): [string, number] {
    const server = this.cluster.servers.find((s) => s.id === id)!;
    return [server.host, listeningPort(server)];
  }

  /** Remembers the pids pm2 runs now (and its daemon's). */
  async notePids(): Promise<void> {
    const daemon = this.cluster.daemonPid();
    if (daemon !== undefined) this.pids.add(daemon);
    for (const proc of await this.cluster.list().catch(() => [])) if (proc.pid) this.pids.add(proc.pid);
  }

  private thaw(pid: number): void {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // gone already
    }
    this.frozen.delete(pid);
  }

  /** Lets every frozen process go on (before stopping the cluster: a stopped process ignores SIGTERM). */
  thawAll(): void {
    for (const pid of this.frozen) this.thaw(pid);
  }
}
