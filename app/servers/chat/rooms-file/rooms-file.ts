/**
 * A chat server's rooms on disk from a clean stop to the next start (memory store): one header line,
 * then one room a line (NDJSON), so neither side holds the whole file in one string. Written to a
 * temporary file and renamed over the last one: a stop cut short leaves the old file or none, never
 * half of one.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { RoomState } from '../../../protocol';

const FORMAT = 'chatofpomelo-rooms';
const VERSION = 1;
const WRITE_CHUNK_CHARS = 1 << 20;

/** What a rooms file keeps of a room: no members (the connectors re-announce theirs) and no position in a move. */
export type SavedRoom = Pick<RoomState, 'rid' | 'log' | 'moderation'>;

export interface RoomsFileOptions {
  /** fsync the file and its folder before the write is taken as done. */
  fsync: boolean;
  /** Rooms that would take the file past this many bytes are left out (written) or the file is refused (read). */
  maxBytes: number;
}

export interface WriteOutcome {
  written: number;
  /** Rooms left out by `maxBytes`. */
  left: number;
  bytes: number;
}

/** What reading found: the rooms, nothing (no file), or why the file was not used. */
export type ReadOutcome = { rooms: SavedRoom[] } | { missing: true } | { refused: string };

/** The file of server `serverId` in `dir`. */
export const roomsFilePath = (dir: string, serverId: string): string => path.join(dir, `${serverId}.rooms.ndjson`);

const entrySchema = z.object({ username: z.string(), until: z.number(), reason: z.string().optional() });
const savedRoomSchema = z.object({
  rid: z.string().min(1),
  log: z
    .object({
      epoch: z.string().min(1),
      lastSeq: z.number().int().min(0),
      entries: z.array(
        z.object({
          message: z.object({
            id: z.number(),
            seq: z.number().int().min(1),
            msg: z.string(),
            from: z.string(),
            target: z.string(),
            time: z.number(),
          }),
          dedupeKey: z.string().optional(),
        }),
      ),
      reads: z.array(z.tuple([z.string(), z.number().int().min(0)])).optional(),
    })
    .nullable(),
  moderation: z.object({ bans: z.array(entrySchema), mutes: z.array(entrySchema) }).optional(),
});
const headerSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  serverId: z.string(),
  savedAt: z.number(),
  rooms: z.number().int().min(0),
});

/** Writes `rooms` as server `serverId`'s file, replacing the last one at once. */
export async function writeRoomsFile(
  file: string,
  serverId: string,
  rooms: readonly SavedRoom[],
  options: RoomsFileOptions,
): Promise<WriteOutcome> {
  const lines: string[] = [];
  let bytes = 0;
  for (const room of rooms) {
    const line = `${JSON.stringify(room)}\n`;
    const size = Buffer.byteLength(line);
    if (bytes + size > options.maxBytes) break;
    lines.push(line);
    bytes += size;
  }
  const header = `${JSON.stringify({ format: FORMAT, version: VERSION, serverId, savedAt: Date.now(), rooms: lines.length })}\n`;
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    // A few large writes, not one per room.
    let chunk = header;
    for (const line of lines) {
      chunk += line;
      if (chunk.length < WRITE_CHUNK_CHARS) continue;
      await handle.write(chunk);
      chunk = '';
    }
    await handle.write(chunk);
    if (options.fsync) await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
  if (options.fsync) await syncFolder(path.dirname(file));
  return { written: lines.length, left: rooms.length - lines.length, bytes: bytes + Buffer.byteLength(header) };
}

/**
 * Reads and removes server `serverId`'s file: read once, so a server that later dies without a clean
 * stop can never come back with rooms older than what it had answered 200 to. A file that is not a
 * whole rooms file of this server is refused (and removed) with the reason.
 */
export async function takeRoomsFile(file: string, serverId: string, options: Pick<RoomsFileOptions, 'maxBytes'>): Promise<ReadOutcome> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { missing: true };
    return { refused: (err as Error).message };
  }
  try {
    if (size > options.maxBytes) return { refused: `${size} bytes, more than SNAPSHOT_MAX_BYTES (${options.maxBytes})` };
    return await readRooms(file, serverId);
  } finally {
    await unlink(file).catch(() => undefined);
  }
}

async function readRooms(file: string, serverId: string): Promise<ReadOutcome> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let header: z.infer<typeof headerSchema> | undefined;
  const rooms: SavedRoom[] = [];
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return { refused: `line ${lineNo} is not JSON` };
    }
    if (!header) {
      const checked = headerSchema.safeParse(parsed);
      if (!checked.success) return { refused: `not a ${FORMAT} v${VERSION} file` };
      if (checked.data.serverId !== serverId) return { refused: `written by ${checked.data.serverId}, not ${serverId}` };
      header = checked.data;
      continue;
    }
    const room = savedRoomSchema.safeParse(parsed);
    if (!room.success) return { refused: `line ${lineNo} is not a room: ${room.error.issues[0]!.message}` };
    rooms.push(room.data);
  }
  if (!header) return { refused: 'empty file' };
  if (rooms.length !== header.rooms) return { refused: `${rooms.length} rooms of ${header.rooms}: cut short` };
  return { rooms };
}

/** A rename is only durable once its folder is synced. */
async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
