import { InvalidArgumentError } from 'commander';

/** `--timeout <ms>` of the operator commands: whole milliseconds, 50 to 60000. */
export function parseTimeout(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 50 || ms > 60_000) throw new InvalidArgumentError('give milliseconds, 50 to 60000.');
  return ms;
}
