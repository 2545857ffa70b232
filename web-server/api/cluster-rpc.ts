/** The web server's calls into the cluster: the room's chat server over internal RPC, on persistent links. */
import type { ServerInfo, ServerMap } from '../../game-server/config/server-info';
import type { RemoteToken } from '../../game-server/contract/remote-token';
import { AppError, Code } from '../../game-server/errors';
import type { Logger } from '../../game-server/logger';
import { RpcClient } from '../../game-server/rpc/rpc-client';
import { remoteCaller, type RemoteCaller } from '../../game-server/rpc/remote-caller';
import type { RpcTls } from '../../game-server/rpc/rpc-tls';
import { roomServer } from '../../app/routes/room-server';

export interface ClusterRpcOptions {
  /** RPC_SECRET. */
  secret: string;
  /** RPC_TLS_*: the links are mutual TLS. */
  tls?: RpcTls;
  timeoutMs: number;
  log: Logger;
  /** The current servers list (read at each call, so a scale-out shows at once). */
  servers: () => ServerMap;
}

export class ClusterRpc {
  private readonly client: RpcClient;

  constructor(private readonly options: ClusterRpcOptions) {
    this.client = new RpcClient({
      selfId: 'web',
      secret: options.secret,
      tls: options.tls,
      timeoutMs: options.timeoutMs,
      log: options.log,
    });
  }

  /** The chat server of `rid` (`chats[crc32(rid) % N]`); it passes the call on if the room moved. */
  roomServer(rid: string): ServerInfo {
    const chats = this.options.servers().get('chat') ?? [];
    if (chats.length === 0) throw new AppError(Code.UNAVAILABLE, 'no chat server is configured');
    return roomServer(rid, chats);
  }

  /** Typed calls to the remote `token` names, on `server`. */
  remote<T>(server: ServerInfo, { name: service }: RemoteToken<T>): RemoteCaller<T> {
    return remoteCaller<T>((method, args) => this.client.call(server, { service, method, args }));
  }

  close(): void {
    this.client.close();
  }
}
