import { createAdapter } from '@socket.io/cluster-adapter';
import type { Server } from 'socket.io';
import { Push } from '../../app/protocol';
import { listenSocketIo, startChatServer, type ChatServer } from '../baseline/chat-server';
import type { MembershipChange } from '../baseline/chat-routes';
import { isCountersRequest, type CountersReply } from './adapter-messages';
import { serveBareChat } from './bare-routes';
import { countAdapterIpc, NO_COUNTS, type IpcCounts } from './ipc-counter';

const MEMBERSHIP = 'membership';

/**
 * One node:cluster worker of the adapter target: the baseline's chat (chat-routes.ts) on socket.io with
 * `@socket.io/cluster-adapter`, so a broadcast reaches the sockets of every worker. Room membership
 * (who is in a room, under which socket id) is replicated to the other workers with serverSideEmit;
 * message ids, seq and the history stay per worker (see docs/performance.md). With `bare`, the worker serves
 * bare-routes.ts instead: routes and pushes only, nothing replicated but what the adapter does itself.
 */
export async function runAdapterWorker(host: string, port: number, countIpc: boolean, bare: boolean): Promise<void> {
  const counts: IpcCounts | undefined = countIpc ? countAdapterIpc() : undefined;
  process.on('message', (message: unknown) => {
    if (!isCountersRequest(message)) return;
    const reply: CountersReply = {
      countersReply: message.countersRequest,
      counts: counts ?? NO_COUNTS,
    };
    process.send?.(reply);
  });
  if (bare) {
    const { io, port: listening } = await listenSocketIo(host, port, { adapter: createAdapter() });
    serveBareChat(io, { host, port: listening });
    if (counts) countChatBroadcasts(io, counts);
    return;
  }
  // Membership changes come with clients entering: by then `chat` is set.
  const chat: ChatServer = await startChatServer(host, port, {
    adapter: createAdapter(),
    replicate: (change) => chat.io.serverSideEmit(MEMBERSHIP, change),
  });
  chat.io.on(MEMBERSHIP, (change: MembershipChange) => chat.apply(change));
  if (counts) countChatBroadcasts(chat.io, counts);
}

/**
 * Counts the onChat broadcasts started here: the adapter's own `broadcast` publishes to the other workers,
 * while broadcasts relayed from them go to the base class's, so they are not counted twice.
 */
function countChatBroadcasts(io: Server, counts: IpcCounts): void {
  const adapter = io.of('/').adapter;
  const broadcast = adapter.broadcast.bind(adapter);
  adapter.broadcast = (packet: { data?: unknown[] }, opts) => {
    if (packet.data?.[0] === Push.chat) counts.chatBroadcasts++;
    return broadcast(packet, opts);
  };
}
