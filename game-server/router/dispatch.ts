import CRC32 from 'crc-32';

/** Pomelo's dispatcher: `list[abs(crc32(key)) % list.length]`. The list must not be empty. */
export function dispatch<T>(key: string, list: readonly T[]): T {
  return list[Math.abs(CRC32.str(key)) % list.length]!;
}
