/** Number options of the harnesses' command lines (commander parsers): a clear error for anything else. */
import { InvalidArgumentError } from 'commander';

export const positive = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a number above 0');
  return n;
};

/** A whole number, at least `min`. */
export const wholeFrom =
  (min: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(min === 0 ? 'a whole number' : `a whole number from ${min}`);
    return n;
  };
