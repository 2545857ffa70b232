/** Callers waiting for the connection to change (back, closed), woken all at once; and a sleep that close() can cut short. */
export class Waiters {
  private readonly waiting = new Set<() => void>();
  private cancelSleep?: () => void;

  /** Resolves at the next `wake()`, or after `ms`. */
  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiting.add(done);
    });
  }

  wake(): void {
    for (const done of [...this.waiting]) done();
  }

  /** Resolves after `ms`, or at `cancel()`. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.cancelSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  cancel(): void {
    this.cancelSleep?.();
  }
}
