import net from 'node:net';
import { dispatch } from '../../game-server/router/dispatch';
import { ChatClient, closeAllSockets, connect, request } from '../helpers/chat-client';
import { TestCluster } from '../helpers/cluster';
import { roomsSpreadOver } from '../helpers/rooms';
import { parseReport, runProcess, runStatus } from '../helpers/status-cli';

describe('npm run status against a running cluster (2 connectors, 2 chat servers, real processes)', () => {
  let cluster: TestCluster;
  let silent: net.Server | undefined;
  const silentSockets = new Set<net.Socket>();
  /** rid -> its members' names. */
  const members = new Map<string, string[]>();

  beforeAll(async () => {
    cluster = await TestCluster.start({ connectors: 2, chats: 2 });
    // One room on each chat server: two users in the first, one in the second.
    const [first, second] = [...roomsSpreadOver(cluster.byType('chat'), 1).values()].map((rids) => rids[0]!);
    members.set(first!, ['ann', 'ben']);
    members.set(second!, ['cat']);
    for (const [rid, names] of members) for (const name of names) await ChatClient.enter(cluster.gate, name, rid);
  });

  afterAll(async () => {
    closeAllSockets();
    // The other servers' links keep knocking on the silent port too: drop those connections.
    for (const socket of silentSockets) socket.destroy();
    await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
    await cluster?.stop();
  });

  it('lists every server of servers.json in file order as up, with its type, address and real pid (--json)', async () => {
    const run = await runStatus(cluster, ['--json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const report = parseReport(run);
    expect(report.servers.map((s) => s.id)).toEqual(cluster.servers.map((s) => s.id));
    for (const server of report.servers) {
      const configured = cluster.server(server.id);
      expect(server).toMatchObject({
        state: 'up',
        type: configured.serverType,
        host: configured.host,
        port: configured.port,
        pid: cluster.pid(server.id),
      });
      expect(server.uptimeSeconds).toBeGreaterThan(0);
      expect(server.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
      expect(server.linksNotUp).toEqual([]);
    }
    // Every chat server keeps a link to each connector to push to, and each connector one to each chat server.
    for (const type of ['chat', 'connector']) {
      for (const server of report.servers.filter((s) => s.type === type)) expect(server.links).toBeGreaterThanOrEqual(2);
    }
    expect(report.summary).toEqual({ servers: 5, up: 5, down: 0, error: 0 });
    expect(report.env).toBe('development');
  });

  it('counts connections and sessions on the connectors, rooms and members on the chat servers', async () => {
    const report = parseReport(await runStatus(cluster, ['--json']));
    const connectors = report.servers.filter((s) => s.type === 'connector');
    expect(connectors.reduce((n, s) => n + s.sessions!, 0)).toBe(3);
    expect(connectors.reduce((n, s) => n + s.connections!, 0)).toBe(3);
    for (const s of connectors) expect(s).not.toHaveProperty('rooms');

    const chats = cluster.byType('chat');
    for (const server of report.servers.filter((s) => s.type === 'chat')) {
      const rids = [...members.keys()].filter((rid) => dispatch(rid, chats).id === server.id);
      expect(server).toMatchObject({ rooms: rids.length, members: rids.reduce((n, rid) => n + members.get(rid)!.length, 0) });
      expect(server).not.toHaveProperty('connections');
    }
  });

  it('--rooms lists each room on the chat server crc32(rid) picks, with its member count', async () => {
    const report = parseReport(await runStatus(cluster, ['--json', '--rooms']));
    const chats = cluster.byType('chat');
    const expected = [...members]
      .map(([rid, names]) => ({ rid, server: dispatch(rid, chats).id, members: names.length }))
      .sort((a, b) => a.rid.localeCompare(b.rid));
    expect(report.rooms).toEqual(expected);

    const text = await runStatus(cluster, ['--rooms']);
    expect(text.code).toBe(0);
    for (const room of expected) expect(text.stdout).toMatch(new RegExp(`^${room.rid}\\s+${room.server}\\s+${room.members}$`, 'm'));
  });

  it('prints a table: one line per server with its state and counts, then a summary', async () => {
    const run = await runStatus(cluster, []);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^SERVER\s+TYPE\s+ADDRESS\s+STATE\s+PID\s+UPTIME\s+RSS\s+CONNS\s+SESSIONS\s+ROOMS\s+MEMBERS\s+LINKS$/);
    for (const server of cluster.servers) {
      const line = lines.find((l) => l.startsWith(`${server.id} `));
      expect(line).toMatch(
        new RegExp(`^${server.id}\\s+${server.serverType}\\s+${server.host}:${server.port}\\s+up\\s+${cluster.pid(server.id)}\\s`),
      );
    }
    expect(run.stdout).toContain('5 servers (development, ');
    expect(run.stdout).toContain(': 5 up, 0 down; 3 connections, 3 sessions, 2 rooms, 3 members');
  });

  it('runs as `npm run status`, and --check exits 0 while every server is up', async () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const run = await runProcess(npm, ['run', '--silent', 'status', '--', '--json', '--check'], cluster.processEnv());
    expect(run.code).toBe(0);
    expect(parseReport(run).summary.up).toBe(5);
  });

  it('shows servers that refuse the RPC secret as "error", never as up', async () => {
    const run = await runStatus(cluster, ['--json', '--check'], { RPC_SECRET: 'not-the-cluster-secret' });
    expect(run.code).toBe(1);
    const report = parseReport(run);
    for (const server of report.servers) expect(server).toMatchObject({ state: 'error', error: 'the server refused our RPC_SECRET' });
    expect(report.servers[0]).not.toHaveProperty('pid');
  });

  it('keeps __system out of reach of clients', async () => {
    const connector = cluster.byType('connector')[0]!;
    const socket = await connect(connector.host, connector.clientPort!);
    expect(await request(socket, 'connector.__system.status', {})).toMatchObject({ code: 404 });
    expect(await request(socket, 'chat.__system.status', {})).toMatchObject({ code: 404 });
    socket.disconnect();
  });

  it('shows a stopped server as down at once, and the others as up', async () => {
    const stopped = cluster.byType('chat')[1]!;
    await cluster.stopServer(stopped.id);
    const run = await runStatus(cluster, ['--json', '--check', '--rooms']);
    expect(run.code).toBe(1);
    const report = parseReport(run);
    const down = report.servers.find((s) => s.id === stopped.id)!;
    expect(down).toMatchObject({ state: 'down', error: 'connection refused' });
    expect(down.latencyMs).toBeLessThan(1000);
    expect(report.summary).toEqual({ servers: 5, up: 4, down: 1, error: 0 });
    expect(report.rooms!.map((r) => r.server)).not.toContain(stopped.id);
    // Node's own start is most of this (more on a busy machine); the answers themselves took milliseconds.
    expect(run.ms).toBeLessThan(5000);

    const text = await runStatus(cluster, ['--rooms']);
    expect(text.stdout).toMatch(new RegExp(`^${stopped.id}\\s+chat\\s+\\S+\\s+down\\s+-`, 'm'));
    expect(text.stdout).toContain(`  ${stopped.id} down: connection refused`);
    expect(text.stdout).toContain(`rooms not known for ${stopped.id} (not up)`);
    for (const connector of cluster.byType('connector')) {
      expect(text.stdout).toContain(`  ${connector.id} links not up: ${stopped.id} (down)`);
    }
  });

  it('shows a server that takes the connection but never answers as down after the timeout, not a hang', async () => {
    const hung = cluster.byType('chat')[1]!;
    expect(cluster.isRunning(hung.id)).toBe(false);
    // Something listens on its port and says nothing, like a process stuck in a busy loop.
    silent = net.createServer((socket) => {
      silentSockets.add(socket);
      socket.once('close', () => silentSockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent!.listen(hung.port, hung.host, resolve));
    const run = await runStatus(cluster, ['--json', '--timeout', '500']);
    const report = parseReport(run);
    const down = report.servers.find((s) => s.id === hung.id)!;
    expect(down).toMatchObject({ state: 'down', error: 'no answer within 500 ms' });
    expect(down.latencyMs).toBeGreaterThanOrEqual(480);
    expect(down.latencyMs).toBeLessThan(1000);
    expect(run.ms).toBeLessThan(5000);
    expect(report.servers.filter((s) => s.state === 'up')).toHaveLength(4);
  });

  it('says which file and field is wrong in a bad servers list, with exit code 2', async () => {
    const run = await runStatus(cluster, ['--env', 'nowhere']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^config error: .*servers\.json: nowhere: unknown environment "nowhere"/);
    const usage = await runStatus(cluster, ['--timeout', 'soon']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("option '--timeout <ms>' argument 'soon' is invalid");
  });
});
