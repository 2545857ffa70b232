import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';

/** The event a chat server's push batch travels as (RpcServerEvents.push). */
const PUSH_EVENT = 'push';

/**
 * socket.io's parser for the internal links, except that a batch of pushes is encoded without socket.io's
 * search for binary attachments: `hasBinary` walks every object of a packet before JSON.stringify walks them
 * all again, and a push batch (every message of a turn, to one connector) is the largest packet on a link.
 * A push holds JSON only: the connector writes it to clients as JSON text (PushWriter.encode) whatever it
 * holds. Every other packet (calls, forwards with a client's body, replies) is encoded as socket.io does.
 */
export class LinkEncoder extends Encoder {
  override encode(packet: Packet): ReturnType<Encoder['encode']> {
    const { type, nsp, id } = packet;
    const data: unknown = packet.data;
    // What socket.io's encodeAsString writes for an event on the main namespace without an acknowledgement.
    if (type === PacketType.EVENT && nsp === '/' && id === undefined && Array.isArray(data) && data[0] === PUSH_EVENT) {
      return [`${PacketType.EVENT}${JSON.stringify(data)}`];
    }
    return super.encode(packet);
  }
}

/** The `parser` option of the RpcClient's links, the side that sends pushes (the decoder is socket.io's). */
export const linkParser = { Encoder: LinkEncoder, Decoder };
