import path from 'node:path';
import { projectRoot, type Application } from '../../../../game-server';
import type { ChatSettings } from '../../../settings';
import type { MemoryModerationStore } from '../moderation/moderation-store';
import type { RoomDirectory } from '../room-directory';
import type { MemoryRoomLog } from '../room-log/memory-room-log';
import type { RoomRegistry } from '../room-registry';
import { roomsFilePath, takeRoomsFile, writeRoomsFile, type SavedRoom } from './rooms-file';

export interface MemoryStores {
  log: MemoryRoomLog;
  moderation: MemoryModerationStore;
}

/**
 * The memory store across a clean stop (pm2 restart, pm2 reload, npm stop): on stop, every room's
 * log and bans go to DATA_DIR/<id>.rooms.ndjson; on start, before the server listens, they come
 * back, so each room keeps its epoch and seqs and members recover what they missed. A kill -9
 * writes nothing, and the file is removed once read, so a crash still starts rooms on a new epoch.
 */
export function keepRoomsAcrossRestart(
  app: Application,
  rooms: RoomRegistry,
  directory: RoomDirectory,
  memory: MemoryStores,
  settings: Pick<ChatSettings, 'DATA_DIR' | 'SNAPSHOT_FSYNC' | 'SNAPSHOT_MAX_BYTES'>,
): void {
  const file = roomsFilePath(path.resolve(projectRoot(), settings.DATA_DIR), app.serverId);
  const options = { fsync: settings.SNAPSHOT_FSYNC, maxBytes: settings.SNAPSHOT_MAX_BYTES };

  app.beforeStart(async () => {
    const outcome = await takeRoomsFile(file, app.serverId, options);
    if ('missing' in outcome) return;
    if ('refused' in outcome) {
      app.log.warn({ file, reason: outcome.refused }, 'rooms file not used: its rooms start new logs');
      return;
    }
    for (const room of outcome.rooms) {
      if (room.log) memory.log.restore(room.rid, room.log);
      if (room.moderation) memory.moderation.adopt(room.rid, room.moderation);
      // Kept like the log of a room that just emptied: its members are on their way back.
      rooms.releaseLogLater(room.rid);
    }
    app.log.info({ file, rooms: outcome.rooms.length }, 'rooms restored from the last clean stop');
  });

  app.beforeStop(async () => {
    const started = Date.now();
    await directory.close();
    const rids = new Set([...[...rooms.all()].map((r) => r.rid), ...memory.log.rids(), ...memory.moderation.rids()]);
    const saved: SavedRoom[] = [];
    for (const rid of rids) {
      const state = await rooms.take(rid);
      if (state) saved.push({ rid, log: state.log, ...(state.moderation && { moderation: state.moderation }) });
    }
    try {
      const { written, left, bytes } = await writeRoomsFile(file, app.serverId, saved, options);
      const fields = { file, rooms: written, bytes, ms: Date.now() - started };
      if (left > 0) app.log.warn({ ...fields, left }, 'rooms file full (SNAPSHOT_MAX_BYTES): the rooms left out start new logs');
      else app.log.info(fields, 'rooms written for the next start');
    } catch (err) {
      app.log.error({ err, file }, 'rooms file not written: every room starts a new log');
    }
  });
}
