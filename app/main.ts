/** The process entry for every chat cluster server: `node dist/app/main.js --id <server id>`. */
import { runServer } from '../game-server';
import { configureChatServer } from './servers/chat/chat-server';
import { configureConnectorServer } from './servers/connector/connector-server';
import { configureGateServer } from './servers/gate/gate-server';
import { Route } from './protocol';
import { clientRoutes } from './routes/client-routes';
import { chatServersRules } from './servers-rules';
import { loadChatSettings } from './settings';

void runServer((app) => {
  const settings = loadChatSettings();
  app.allowClientRoutes(Object.values(Route));
  const routes = clientRoutes(app, settings);
  app.configure('gate', () => configureGateServer(app, routes));
  app.configure('connector', () => configureConnectorServer(app, routes, settings));
  app.configure('chat', () => configureChatServer(app, routes, settings));
}, chatServersRules);
