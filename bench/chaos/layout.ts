/**
 * Who the chaos run's connections are and which rooms each follows. Room i is the home of a group of
 * users (`h<i>-v1`..`h<i>-v<members>` and the sender `h<i>-s`); each of their connections is in its home
 * and the next `roomsPerConnection - 1` rooms (wrapping round), so every room holds the users of that
 * many groups and every connection follows that many rooms. With `multiDevice`, `v1` and the sender of
 * every group are on two connections each (their second device), which the cluster allows only with
 * AUTH_SECRET: the run then signs a token for each.
 */
export interface ChaosConnection {
  username: string;
  /** 1 for the first connection of the user, 2 for its second device. */
  device: number;
  /** The rooms, the home room first (the one entered; the others are joined). */
  rids: string[];
  /** Sends the traffic, round-robin over its rooms. */
  sender: boolean;
}

export interface LayoutOptions {
  rooms: number;
  /** Verifying members per home room, besides its sender. */
  members: number;
  roomsPerConnection: number;
  multiDevice: boolean;
}

export const roomName = (i: number): string => `chaos-room-${i}`;

export function chaosLayout(options: LayoutOptions): ChaosConnection[] {
  const perConnection = Math.max(1, Math.min(options.roomsPerConnection, options.rooms));
  const connections: ChaosConnection[] = [];
  for (let home = 0; home < options.rooms; home++) {
    const rids = Array.from({ length: perConnection }, (_, k) => roomName((home + k) % options.rooms));
    const users = [
      ...Array.from({ length: options.members }, (_, k) => ({ name: `h${home}-v${k + 1}`, sender: false })),
      { name: `h${home}-s`, sender: true },
    ];
    for (const [k, user] of users.entries()) {
      const devices = options.multiDevice && (k === 0 || user.sender) ? 2 : 1;
      for (let device = 1; device <= devices; device++) connections.push({ username: user.name, device, rids, sender: user.sender });
    }
  }
  return connections;
}
