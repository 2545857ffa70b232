/**
 * Sends messages so that each shows once: a send that got no answer (the connection dropped) is sent
 * again after the re-entry with the same `clientMsgId`, and sending a failed message again by hand
 * reuses its id too; the server delivers a message once, however often it arrives.
 */
import type { Reply, SendResult } from '../../app/protocol';
import { ChatError, replyError } from './chat-error';
import { request, REQUEST_TIMEOUT_MS, ROUTE, type ChatSocket } from './cluster-access';

const SEND_ATTEMPTS = 3;

export interface SenderIO {
  /** The connection's socket while it is up. */
  socket(): ChatSocket | undefined;
  /** True once the connection is back in `rid`, false when it will not be (closed, left, or too long). */
  back(rid: string): Promise<boolean>;
}

export class MessageSender {
  /** The last send that failed, whose id a send of the same message again reuses. */
  private lastFailed?: { rid: string; content: string; target: string; clientMsgId: string };

  constructor(
    private readonly username: string,
    private readonly io: SenderIO,
  ) {}

  async send(rid: string, content: string, target: string): Promise<SendResult> {
    const last = this.lastFailed;
    const retry = last?.rid === rid && last.content === content && last.target === target;
    const clientMsgId = retry ? last.clientMsgId : newClientMsgId();
    try {
      const result = await this.sendOnce(rid, content, target, clientMsgId);
      this.lastFailed = undefined;
      return result;
    } catch (err) {
      this.lastFailed = { rid, content, target, clientMsgId };
      throw err;
    }
  }

  private async sendOnce(rid: string, content: string, target: string, clientMsgId: string): Promise<SendResult> {
    for (let attempt = 1; ; attempt++) {
      const socket = this.io.socket();
      if (socket?.connected) {
        try {
          const reply = await request<Reply<SendResult>>('connector', () =>
            socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(ROUTE.send, { rid, content, target, clientMsgId }),
          );
          if (reply.code !== 200) throw replyError(reply, this.username, rid);
          return { id: reply.id, seq: reply.seq };
        } catch (err) {
          // Only a missing answer is worth another try; a refusal stays one.
          if (!(err instanceof ChatError) || err.code !== undefined || attempt >= SEND_ATTEMPTS) throw err;
        }
      } else if (attempt >= SEND_ATTEMPTS) {
        throw new ChatError('Not connected: your message was not sent.');
      }
      if (!(await this.io.back(rid))) throw new ChatError('Not connected: your message was not sent.');
    }
  }
}

function newClientMsgId(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
