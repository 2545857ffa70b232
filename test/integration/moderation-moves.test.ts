import type { RoomInfo } from '../../app/protocol';
import type { ServerInfo } from '../../game-server/config/server-info';
import { dispatch } from '../../game-server/router/dispatch';
import { runAdminIn } from '../helpers/admin-cli';
import { ChatClient, closeAllSockets } from '../helpers/chat-client';
import { freePorts } from '../helpers/free-port';
import { Pm2Cluster } from '../helpers/pm2-cluster';
import { ServerApi } from '../helpers/server-api';

const API_KEY = 'moderation-moves-api-key-0123';

const ownerOf = (rid: string, servers: readonly ServerInfo[]): string =>
  dispatch(
    rid,
    servers.filter((s) => s.serverType === 'chat'),
  ).id;

describe('bans and mutes move with their room when npm run scale moves it (memory store)', () => {
  let cluster: Pm2Cluster;
  let api: ServerApi;
  let original: ServerInfo[];
  let grown: ServerInfo[];
  let rid = '';

  beforeAll(async () => {
    cluster = await Pm2Cluster.startOn('memory', { connectors: 1, chats: 2, env: { API_KEY } });
    api = new ServerApi(cluster.webUrl, API_KEY);
    original = [...cluster.servers];
    const [port] = await freePorts(1);
    grown = [...original, { id: 'chat-server-3', serverType: 'chat', host: '127.0.0.1', port: port! }];
    // A room whose owner changes from 2 to 3 chat servers, and back.
    for (let i = 0; !rid; i++) if (ownerOf(`moving-${i}`, original) !== ownerOf(`moving-${i}`, grown)) rid = `moving-${i}`;
  });

  afterAll(async () => {
    closeAllSockets();
    await cluster?.stop();
  });

  const names = (room: RoomInfo): string => JSON.stringify([room.bans.map((b) => b.username), room.mutes.map((m) => m.username)]);

  /** After a move: the room is served by `server` with its ban and mute, and both still hold there. */
  async function expectModerationOn(server: string, alice: ChatClient, bob: ChatClient): Promise<void> {
    const room = await api.waitForRoom(
      rid,
      (r) => r.server === server && names(r) === JSON.stringify([['mallory'], ['bob']]),
      `on ${server}, mallory banned and bob muted`,
      30_000,
    );
    expect(room.members.sort()).toEqual([alice.username, bob.username].sort());
    await expect(ChatClient.enter(cluster.gate, 'mallory', rid)).rejects.toThrow(/"code":403,"error":"you are banned from this room/);
    expect(await bob.send(`muted on ${server}?`)).toEqual({ code: 403, error: expect.stringMatching(/^you are muted in this room/) });
    expect(await alice.send(`alice on ${server}`)).toMatchObject({ code: 200 });
  }

  it('a ban and a mute set on the old owner hold on the new one after scaling out, and back after scaling in', async () => {
    const alice = await ChatClient.enter(cluster.gate, 'alice', rid);
    const bob = await ChatClient.enter(cluster.gate, 'bob', rid);
    const mallory = await ChatClient.enter(cluster.gate, 'mallory', rid);
    expect(await runAdminIn(cluster.env, ['ban', 'mallory', '--room', rid, '--minutes', '10'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/\(was in the room: disconnected\)\n$/),
    });
    await mallory.waitFor('onKick');
    expect((await runAdminIn(cluster.env, ['mute', 'bob', '--room', rid, '--minutes', '10'])).code).toBe(0);
    const first = ownerOf(rid, original);
    expect(names(await api.room(rid))).toBe(JSON.stringify([['mallory'], ['bob']]));
    expect((await api.room(rid)).server).toBe(first);

    cluster.writeServers(grown);
    await cluster.scale();
    await expectModerationOn(ownerOf(rid, grown), alice, bob);

    cluster.writeServers(original);
    await cluster.scale();
    await expectModerationOn(first, alice, bob);
    alice.close();
    bob.close();
  });
});
