/** Users in several rooms each, every room with the same number of members, mixed differently in each layer. */
import type { BenchUser } from '../load/worker-messages';
import { usersInRooms } from './scenario';

const STRIDES = [7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97];

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * `count` users, each entering a room of layer 0 (`<prefix>0-<r>`, as `usersInRooms` places them) and
 * joining one room in each of layers 1 to `roomsPerUser - 1`. In layer k user i sits at position
 * `i * stride mod count` (a stride prime to `count`), so a user's rooms hold mostly different people.
 */
export function multiRoomUsers(count: number, roomSize: number, roomsPerUser: number, prefix: string): BenchUser[] {
  const strides = STRIDES.filter((s) => gcd(s, count) === 1);
  const strideOf = (layer: number): number => strides[(layer - 1) % Math.max(1, strides.length)] ?? 1;
  return usersInRooms(count, roomSize, `${prefix}0-`).map((user, i) => ({
    ...user,
    join: Array.from({ length: roomsPerUser - 1 }, (_v, k) => {
      const layer = k + 1;
      return `${prefix}${layer}-${Math.floor(((i * strideOf(layer)) % count) / roomSize)}`;
    }),
  }));
}
