/** The runtime's public face: what app/ code may import. */
export { Application } from './application';
export { AppError, Code, type ErrorCode } from './errors';
export { clientAddress, type ClientAddress, type ServerInfo, type ServerMap } from './config/server-info';
export type { ServersRules } from './config/load-servers-config';
export type { Session } from './frontend/session';
export type { FrontendSession } from './frontend/frontend-session';
export type { HandlerContext } from './handler-registry';
export type { RouteDef, RouteHandler } from './contract/route-def';
export type { RemoteContext, RemoteImpl, RemoteToken } from './contract/remote-token';
export { Moved } from './contract/moved';
export type { RouteFunction } from './router/router';
export { dispatch } from './router/dispatch';
export type { Channel } from './services/channel-service';
export type { HopTrace } from './rpc/rpc-messages';
export { envFlag, parseEnv, loadDotenv } from './settings';
export { projectRoot } from './project-root';
export { runServer } from './run-server';
export type { Logger } from './logger';
