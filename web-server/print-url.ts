/** `npm start` ends with this: the address of the browser client the cluster now serves. */
import { ConfigError } from '../game-server/config/config-error';
import { loadServersConfig } from '../game-server/config/load-servers-config';
import { loadDotenv } from '../game-server/settings';
import { clientConfig } from './web-app';
import { loadWebSettings, webUrl } from './web-settings';

loadDotenv();
try {
  const gateHost = clientConfig(loadServersConfig()).gate.host;
  const clusterHost = process.env.CLUSTER_HOST;
  if (clusterHost && clusterHost !== gateHost) console.log(`\nchat client: served by the web server on the gate's host (${gateHost})`);
  else console.log(`\nchat client: ${webUrl(loadWebSettings())}  (logs: npx pm2 logs web)`);
} catch (err) {
  console.error(err instanceof ConfigError ? `config error: ${err.message}` : String(err));
  process.exitCode = 1;
}
