/** Waiting for an event with a deadline, instead of sleeping and hoping: a slow machine only makes these later. */
import type { ChildProcess } from 'node:child_process';
import { sleep } from '../../game-server/sleep';

/**
 * Resolves once `condition` holds, checking every `intervalMs`. After `timeoutMs` it throws
 * "<what> within <timeoutMs> ms", followed by `details()` (what was seen instead), if given.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  details?: () => string | Promise<string>,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      const seen = details ? `: ${await details()}` : '';
      throw new Error(`${what} within ${timeoutMs} ms${seen}`);
    }
    await sleep(intervalMs);
  }
}

/**
 * Resolves once `child` has written `text` on stdout or stderr. `written()` is all it wrote so far, kept
 * by 'data' listeners added before this one. Rejects when the child's output ends without it, or after
 * `timeoutMs`, quoting what it did write.
 */
export function waitForOutput(child: ChildProcess, written: () => string, text: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const streams = [child.stdout, child.stderr].filter((s) => s !== null);
    const done = (err?: Error): void => {
      clearTimeout(timer);
      for (const stream of streams) stream.off('data', check);
      child.off('close', closed);
      if (err) reject(err);
      else resolve();
    };
    const check = (): void => {
      if (written().includes(text)) done();
    };
    const closed = (): void => done(new Error(`the process ended without writing ${JSON.stringify(text)}; it wrote:\n${written()}`));
    const timer = setTimeout(
      () => done(new Error(`no ${JSON.stringify(text)} in the process's output within ${timeoutMs} ms; it wrote:\n${written()}`)),
      timeoutMs,
    );
    for (const stream of streams) stream.on('data', check);
    child.once('close', closed);
    check();
  });
}
