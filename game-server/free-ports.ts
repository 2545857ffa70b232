/**
 * Ports for the clusters that tests and the benchmark start, each handed out once per machine.
 *
 * Asking the OS for a free port (listen on port 0, close) and starting a server on it a few seconds later
 * leaves a window in which anyone else asking gets the same port: another jest worker, another checkout's
 * tests, the bench. One of the two servers then fails to start (EADDRINUSE), or a test talks to a server
 * of another run. On Linux 2.7 % of freePorts(10) calls got one of the 20 ports handed out by the two
 * calls before. So ports come from below the OS's ephemeral range (which it never hands out by itself,
 * neither for port 0 nor for outgoing connections), and each is reserved by a file created exclusively
 * in a folder all runs share, for 10 to 20 minutes: time to start a server on it, and to restart it there.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const RESERVATIONS_DIR = path.join(os.tmpdir(), 'chat-cluster-ports');
/** A reservation is a file in the folder of its 10-minute slot, and holds for that slot and the next. */
const SLOT_MS = 10 * 60_000;
const POOL_LOW = 20_000;
const MIN_POOL = 1000;

/** The ports the OS hands out by itself (port 0, outgoing connections). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return [low, high];
  } catch {
    // Not Linux: IANA's range, which macOS and Windows use.
  }
  return [49152, 65535];
}

/** Where freePorts takes its ports from: under the ephemeral range, else over it. */
export function portPool(): [number, number] {
  const [low, high] = ephemeralRange();
  if (low - POOL_LOW >= MIN_POOL) return [POOL_LOW, low - 1];
  if (65535 - high >= MIN_POOL) return [high + 1, 65535];
  return [1024, 65535];
}

const slotDir = (slot: number): string => path.join(RESERVATIONS_DIR, String(slot));

function sharedFolder(slot: number): string {
  const dir = slotDir(slot);
  if (!existsSync(RESERVATIONS_DIR)) {
    mkdirSync(RESERVATIONS_DIR, { recursive: true });
    // Every user's runs share it, as they share the ports (sticky, as /tmp is).
    try {
      chmodSync(RESERVATIONS_DIR, 0o1777);
    } catch {
      // Someone else's folder: it is theirs to open up.
    }
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Forgets the reservations of slots that are over. */
function removeOldSlots(slot: number): void {
  let names: string[] = [];
  try {
    names = readdirSync(RESERVATIONS_DIR);
  } catch {
    return;
  }
  for (const name of names) {
    if (Number(name) < slot - 1) rmSync(path.join(RESERVATIONS_DIR, name), { recursive: true, force: true });
  }
}

/**
 * Reserves `port` unless another run holds it. Two runs reserving the same port in neighbouring slots at the
 * same moment both look at the other slots after writing their own file, so at most one keeps it.
 */
function reserve(port: number, slot: number): boolean {
  const neighbours = [slot - 1, slot + 1].map((s) => path.join(slotDir(s), String(port)));
  if (neighbours.some((file) => existsSync(file))) return false;
  const file = path.join(sharedFolder(slot), String(port));
  try {
    writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  if (neighbours.some((f) => existsSync(f))) {
    rmSync(file, { force: true });
    return false;
  }
  return true;
}

/** Whether a server can listen on host:port right now (nothing else, such as a service of the machine, holds it). */
function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `count` distinct ports that nothing listens on and no other run on this machine was given in the last 10-20 minutes. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const [low, high] = portPool();
  const size = high - low + 1;
  const start = Math.floor(Math.random() * size);
  const slot = Math.floor(Date.now() / SLOT_MS);
  removeOldSlots(slot);
  const ports: number[] = [];
  for (let i = 0; i < size && ports.length < count; i++) {
    const port = low + ((start + i) % size);
    if (!reserve(port, slot)) continue;
    if (await canListen(port, host)) ports.push(port);
    else rmSync(path.join(slotDir(slot), String(port)), { force: true });
  }
  if (ports.length < count) {
    throw new Error(
      `only ${ports.length} of ${count} free ports in ${low}-${high}: the others are in use or reserved by runs of the last ` +
        `10-20 minutes (${RESERVATIONS_DIR}; remove it to forget them)`,
    );
  }
  return ports;
}
