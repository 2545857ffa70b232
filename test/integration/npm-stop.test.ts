import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { isRunning } from '../../game-server/cli/private-pm2-cluster';
import { PROJECT_ROOT } from '../helpers/cluster';
import { Pm2Cluster } from '../helpers/pm2-cluster';
import { runProcess } from '../helpers/status-cli';
import { waitUntil } from '../helpers/wait';

describe('npm stop', () => {
  let cluster: Pm2Cluster;

  beforeAll(async () => {
    cluster = await Pm2Cluster.start({ connectors: 1, chats: 1 });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('stops every process of a running cluster even when .env no longer passes the config check', async () => {
    const pids = (await cluster.list()).map((app) => app.pid);
    expect(pids).toHaveLength(cluster.servers.length + 1);
    writeFileSync(cluster.env.DOTENV_PATH!, 'API_KEY=short\n');
    const env = { ...cluster.env, npm_config_update_notifier: 'false' };
    // The condition of the bug: the check that `npm start` (and once `npm stop`) makes now fails.
    const check = await runProcess(process.execPath, [path.join(PROJECT_ROOT, 'ecosystem.config.js')], env);
    expect({ code: check.code, stderr: check.stderr }).toEqual({ code: 78, stderr: expect.stringContaining('API_KEY') });

    const stop = await runProcess('npm', ['stop'], env, 60_000);
    expect({ code: stop.code, stderr: stop.stderr }).toEqual({ code: 0, stderr: '' });
    expect(stop.stdout).toContain('stopped: ');

    expect(await cluster.list()).toEqual([]);
    await waitUntil(
      () => pids.every((pid) => !isRunning(pid)),
      10_000,
      'every server process gone',
      () => `still running: ${pids.filter(isRunning).join(', ')}`,
    );
  });

  it('says so, and succeeds, when nothing runs', async () => {
    const stop = await runProcess('npm', ['stop'], { ...cluster.env, npm_config_update_notifier: 'false' }, 60_000);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain('nothing to stop');
  });
});
