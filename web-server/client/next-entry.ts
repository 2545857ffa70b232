/** Lets sends wait for the connection's next successful re-entry, for a while. */
export class NextEntry {
  private next?: { promise: Promise<void>; resolve: () => void };

  /** True at the next `arrived()`, false after `timeoutMs` or at `abandon()`. */
  async wait(timeoutMs: number): Promise<boolean> {
    if (!this.next) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.next = { promise, resolve };
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    const back = await Promise.race([this.next.promise.then(() => true), timeout]);
    clearTimeout(timer);
    return back;
  }

  arrived(): void {
    this.next?.resolve();
    this.next = undefined;
  }
}
