// pm2 apps for the chat cluster: one per server of config/servers.json (environment from NODE_ENV),
// each named by its server id, plus the web server. `pm2 start ecosystem.config.js`.
// `node ecosystem.config.js` only checks the config (what `npm start` does before pm2 starts anything):
// silent and exit 0 when it is good, else one line naming the file and the field, and exit 78.
const path = require('node:path');

// DOTENV_PATH as the servers read it (game-server/settings.ts): a private cluster's check reads that cluster's .env.
require('dotenv').config({ path: process.env.DOTENV_PATH ?? path.join(__dirname, '.env'), quiet: true });

// CLUSTER_DEV=1 (`npm run dev`): run the TypeScript sources with tsx and restart on change; no build.
const dev = process.env.CLUSTER_DEV === '1';
if (dev) require('tsx/cjs');
const code = dev ? __dirname : path.join(__dirname, 'dist');

const { loadServersConfig, environmentName } = require(path.join(code, 'game-server/config/load-servers-config'));
const { CONFIG_ERROR_EXIT, exitOnConfigError } = require(path.join(code, 'game-server/run-server'));
const { loadRuntimeSettings } = require(path.join(code, 'game-server/settings'));
const { chatServersRules } = require(path.join(code, 'app/servers-rules'));
const { loadChatSettings } = require(path.join(code, 'app/settings'));
const { loadWebSettings } = require(path.join(code, 'web-server/web-settings'));

const env = environmentName();
// Every check the servers make at start, made here first: a config error is one line and exit 78, never
// pm2's "File ecosystem.config.js malformated" and a stack trace (pm2 loads this file in its CLI process).
const servers = exitOnConfigError(() => {
  loadRuntimeSettings();
  loadChatSettings();
  loadWebSettings();
  return [...loadServersConfig(undefined, env, chatServersRules).values()].flat();
});
// Extra node flags for every server, e.g. CLUSTER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (npm run bench -- --profile).
const nodeArgs = (process.env.CLUSTER_NODE_ARGS ?? '').split(' ').filter(Boolean);
// Frontends hold one long-lived connection per user and allocate in bursts (a wave of handshakes): V8's
// default young generation (up to 2 x 16 MiB) then stays resident as slack. 4 MiB semi-spaces cost no
// measurable throughput (npm run bench) and take a third off the memory per idle connection. Flags in
// CLUSTER_NODE_ARGS come later and win.
const frontendNodeArgs = ['--max-semi-space-size=4'];
// On a multi-host cluster each host starts only its own servers: CLUSTER_HOST=<host as in servers.json>.
const onThisHost = process.env.CLUSTER_HOST ? servers.filter((s) => s.host === process.env.CLUSTER_HOST) : servers;

const common = {
  cwd: __dirname,
  autorestart: true,
  // A config error exits with this code: restarting would only print the same error again.
  stop_exit_codes: [CONFIG_ERROR_EXIT],
  kill_timeout: 5000,
  restart_delay: 200,
  time: false,
  // No @pm2/io agent in the servers: it hooks every HTTP request (the gate's /entry, each websocket upgrade)
  // and samples the event loop, for pm2's own dashboard; the servers' metrics are their /metrics.
  pmx: false,
};

const serverApps = onThisHost.map((server) => ({
  ...common,
  name: server.id,
  script: dev ? path.join(__dirname, 'app/main.ts') : path.join(__dirname, 'dist/app/main.js'),
  args: ['--id', server.id],
  ...(dev && { interpreter: 'node', watch: ['app', 'game-server', 'config'], watch_delay: 300 }),
  node_args: [...(dev ? ['--import', 'tsx'] : []), ...(server.frontend ? frontendNodeArgs : []), ...nodeArgs],
  env: { NODE_ENV: env },
}));

// The web server (browser client, /metrics) runs once per cluster: on the gate's host.
const gate = servers.find((s) => s.serverType === 'gate');
const webHere = !process.env.CLUSTER_HOST || (gate && gate.host === process.env.CLUSTER_HOST);
const webApp = {
  ...common,
  name: 'web',
  script: dev ? path.join(__dirname, 'web-server/main.ts') : path.join(__dirname, 'dist/web-server/main.js'),
  ...(dev && { interpreter: 'node', watch: ['web-server', 'game-server', 'config'], watch_delay: 300 }),
  node_args: [...(dev ? ['--import', 'tsx'] : []), ...nodeArgs],
  env: { NODE_ENV: env },
};

module.exports = { apps: webHere ? [...serverApps, webApp] : serverApps };
