import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { roomsFilePath, takeRoomsFile, writeRoomsFile, type SavedRoom } from '../../app/servers/chat/rooms-file/rooms-file';

const room = (rid: string, seqs: number[]): SavedRoom => ({
  rid,
  log: {
    epoch: `e-${rid}`,
    lastSeq: seqs.at(-1) ?? 0,
    entries: seqs.map((seq) => ({
      message: { id: seq, seq, msg: `m${seq}`, from: 'ann', target: '*', time: 1000 + seq },
      dedupeKey: `ann\u0000c${seq}`,
    })),
    reads: [['ann', seqs.at(-1) ?? 0]],
  },
  moderation: { bans: [{ username: 'troll', until: 4_000_000_000_000, reason: 'spam' }], mutes: [] },
});

const options = { fsync: true, maxBytes: 1 << 20 };

describe('the rooms file', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rooms-file-'));
    file = roomsFilePath(path.join(dir, 'data'), 'chat-server-1');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives back what was written, once: the file is gone after it was read', async () => {
    const rooms = [room('a', [1, 2, 3]), room('b', []), { rid: 'c', log: null, moderation: { bans: [], mutes: [] } }];
    expect(await writeRoomsFile(file, 'chat-server-1', rooms, options)).toMatchObject({ written: 3, left: 0 });
    expect(readdirSync(path.dirname(file))).toEqual(['chat-server-1.rooms.ndjson']);
    expect(await takeRoomsFile(file, 'chat-server-1', options)).toEqual({ rooms });
    expect(existsSync(file)).toBe(false);
    expect(await takeRoomsFile(file, 'chat-server-1', options)).toEqual({ missing: true });
  });

  it('writes only the rooms that fit in maxBytes, and says how many it left out', async () => {
    const rooms = [room('a', [1, 2]), room('b', [1, 2]), room('c', [1, 2])];
    const line = Buffer.byteLength(`${JSON.stringify(rooms[0])}\n`);
    const outcome = await writeRoomsFile(file, 'chat-server-1', rooms, { fsync: false, maxBytes: line * 2 + 1 });
    expect(outcome).toMatchObject({ written: 2, left: 1 });
    expect(await takeRoomsFile(file, 'chat-server-1', options)).toEqual({ rooms: rooms.slice(0, 2) });
  });

  it("refuses another server's file, and removes it", async () => {
    await writeRoomsFile(file, 'chat-server-2', [room('a', [1])], options);
    expect(await takeRoomsFile(file, 'chat-server-1', options)).toEqual({ refused: 'written by chat-server-2, not chat-server-1' });
    expect(existsSync(file)).toBe(false);
  });

  it.each([
    ['a file cut short', (text: string) => text.slice(0, text.lastIndexOf('\n', text.length - 2) + 1), '1 rooms of 2: cut short'],
    ['a line that is not JSON', (text: string) => text.replace('"rid":"b"', '"rid":"b'), 'line 3 is not JSON'],
    ['a room with a bad seq', (text: string) => text.replace('"seq":1,', '"seq":-1,'), 'line 2 is not a room'],
    ['a file of another kind', () => '{"hello":"world"}\n', 'not a chatofpomelo-rooms v1 file'],
    ['an empty file', () => '', 'empty file'],
  ])('refuses %s with the reason', async (_what, corrupt, reason) => {
    await writeRoomsFile(file, 'chat-server-1', [room('a', [1]), room('b', [1])], options);
    writeFileSync(file, corrupt(readFileSync(file, 'utf8')));
    const outcome = await takeRoomsFile(file, 'chat-server-1', options);
    expect(outcome).toEqual({ refused: expect.stringContaining(reason) });
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a file larger than maxBytes without reading it', async () => {
    await writeRoomsFile(file, 'chat-server-1', [room('a', [1, 2, 3])], options);
    expect(await takeRoomsFile(file, 'chat-server-1', { maxBytes: 100 })).toEqual({
      refused: expect.stringMatching(/^\d+ bytes, more than SNAPSHOT_MAX_BYTES \(100\)$/),
    });
  });

  it('replaces the last file whole, leaving no temporary file behind', async () => {
    await writeRoomsFile(file, 'chat-server-1', [room('a', [1])], options);
    await writeRoomsFile(file, 'chat-server-1', [room('b', [1, 2])], options);
    expect(readdirSync(path.dirname(file))).toEqual(['chat-server-1.rooms.ndjson']);
    expect(await takeRoomsFile(file, 'chat-server-1', options)).toEqual({ rooms: [room('b', [1, 2])] });
  });
});
