import type { PushMessage } from '../../game-server/rpc/rpc-messages';
import type { PushTransport } from '../../game-server/services/channel-service';

/** A PushTransport that keeps each push with the frontend it was for, instead of sending it. */
export class RecordingTransport implements PushTransport {
  readonly pushes: { frontendId: string; message: PushMessage }[] = [];

  pushToFrontend(frontendId: string, message: PushMessage): void {
    this.pushes.push({ frontendId, message });
  }

  /** The frontends pushed to, in order. */
  frontends(): string[] {
    return this.pushes.map((p) => p.frontendId);
  }

  routes(): string[] {
    return this.pushes.map((p) => p.message.route);
  }

  clear(): void {
    this.pushes.length = 0;
  }
}
