import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../helpers/cluster';

const SCRIPT = path.join(PROJECT_ROOT, 'scripts/system-deps.sh');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * scripts/system-deps.sh on a machine made up in a folder: its PATH holds only the fake `id`, `apt-get`,
 * `redis-server`, `prometheus`, `promtool` and `openssl` a test puts there (plus what the fakes need; `openssl`
 * is there unless `openssl: false`), and Chromium and nginx are looked for in the folder (nginx is there unless
 * `nginx: false`), so nothing on the real machine is installed, found or missed.
 */
class FakeMachine {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'system-deps-'));
  readonly bin = path.join(this.dir, 'bin');
  readonly chromium = path.join(this.dir, 'chromium');
  readonly nginx = path.join(this.dir, 'nginx');
  readonly aptLog = path.join(this.dir, 'apt.log');

  constructor({
    uid,
    apt,
    installs = true,
    openssl = true,
    nginx = true,
  }: {
    uid: number;
    apt: boolean;
    installs?: boolean;
    openssl?: boolean;
    nginx?: boolean;
  }) {
    mkdirSync(this.bin);
    this.tool('id', `echo ${uid}`);
    if (openssl) this.tool('openssl', 'exit 0');
    if (nginx) this.executable(this.nginx);
    for (const real of ['chmod', 'touch']) symlinkSync(`/bin/${real}`, path.join(this.bin, real));
    if (apt) {
      // Records its calls; `install` puts in place what the real one would (unless told to install nothing).
      const install = installs
        ? `for p in "$@"; do case $p in
             redis-server) touch '${this.bin}/redis-server'; chmod +x '${this.bin}/redis-server';;
             prometheus) for t in prometheus promtool; do touch "${this.bin}/$t"; chmod +x "${this.bin}/$t"; done;;
             openssl) touch '${this.bin}/openssl'; chmod +x '${this.bin}/openssl';;
             chromium) touch '${this.chromium}'; chmod +x '${this.chromium}';;
             nginx) touch '${this.nginx}'; chmod +x '${this.nginx}';;
           esac; done`
        : ':';
      this.tool('apt-get', `echo "apt-get $*" >> '${this.aptLog}'\ncase $1 in install) ${install};; esac`);
    }
  }

  tool(name: string, body: string): void {
    const file = path.join(this.bin, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
  }

  installChromium(): void {
    this.executable(this.chromium);
  }

  private executable(file: string): void {
    writeFileSync(file, '');
    chmodSync(file, 0o755);
  }

  aptCalls(): string[] {
    return existsSync(this.aptLog) ? readFileSync(this.aptLog, 'utf8').trim().split('\n') : [];
  }

  run(): Promise<Run> {
    return new Promise((resolve) => {
      execFile(
        '/bin/sh',
        [SCRIPT],
        { env: { PATH: this.bin, CHROMIUM_PATH: this.chromium, NGINX_PATH: this.nginx }, timeout: 10_000 },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
      );
    });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('scripts/system-deps.sh (the first step of npm test and .ci/run)', () => {
  const machines: FakeMachine[] = [];
  const machine = (options: ConstructorParameters<typeof FakeMachine>[0]): FakeMachine => {
    const made = new FakeMachine(options);
    machines.push(made);
    return made;
  };

  afterAll(() => {
    for (const made of machines) made.remove();
  });

  it('does nothing and says nothing when Chromium, nginx, redis-server, prometheus and promtool are there', async () => {
    const m = machine({ uid: 1000, apt: true });
    m.installChromium();
    for (const tool of ['redis-server', 'prometheus', 'promtool']) m.tool(tool, 'exit 0');
    expect(await m.run()).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(m.aptCalls()).toEqual([]);
  });

  it('stops at once when not root, with the one command that installs what is missing', async () => {
    const m = machine({ uid: 1000, apt: true });
    m.installChromium();
    m.tool('prometheus', 'exit 0');
    m.tool('promtool', 'exit 0');
    const run = await m.run();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('npm test needs redis-server, missing here');
    expect(run.stderr).toContain('\n  sudo apt-get update && sudo apt-get install -y redis-server\n');
    expect(m.aptCalls()).toEqual([]);
  });

  it('installs what is missing with apt-get when root, then goes on', async () => {
    const m = machine({ uid: 0, apt: true });
    const run = await m.run();
    expect(run.stderr).toContain('installing chromium redis-server prometheus with apt-get');
    expect(run.code).toBe(0);
    expect(m.aptCalls()).toEqual(['apt-get update', 'apt-get install -y chromium redis-server prometheus']);
    expect(await m.run()).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(m.aptCalls()).toHaveLength(2);
  });

  it('installs openssl when it is missing (npm run certs needs it for the internal TLS tests)', async () => {
    const m = machine({ uid: 0, apt: true, openssl: false });
    m.installChromium();
    for (const tool of ['redis-server', 'prometheus', 'promtool']) m.tool(tool, 'exit 0');
    const run = await m.run();
    expect(run.code).toBe(0);
    expect(m.aptCalls()).toEqual(['apt-get update', 'apt-get install -y openssl']);
    expect(await m.run()).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('installs nginx when it is missing (the reverse proxy test starts its own)', async () => {
    const m = machine({ uid: 0, apt: true, nginx: false });
    m.installChromium();
    for (const tool of ['redis-server', 'prometheus', 'promtool']) m.tool(tool, 'exit 0');
    const run = await m.run();
    expect(run.code).toBe(0);
    expect(m.aptCalls()).toEqual(['apt-get update', 'apt-get install -y nginx']);
    expect(await m.run()).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('asks for the prometheus package when promtool is missing beside prometheus', async () => {
    const m = machine({ uid: 1000, apt: true });
    m.installChromium();
    m.tool('redis-server', 'exit 0');
    m.tool('prometheus', 'exit 0');
    const run = await m.run();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('\n  sudo apt-get update && sudo apt-get install -y prometheus\n');
  });

  it('fails when apt-get did not install what is missing', async () => {
    const run = await machine({ uid: 0, apt: true, installs: false }).run();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('still missing after apt-get install: chromium redis-server prometheus');
  });

  it('says what to install on a machine without apt-get', async () => {
    const run = await machine({ uid: 0, apt: false }).run();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no apt-get on this machine: install chromium redis-server prometheus with its package manager');
  });
});
