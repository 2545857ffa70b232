/** What the soak's clients did, counted by operation and outcome (`enter 200`, `kick 404`, `join error`). */
export class Tally {
  private readonly counts = new Map<string, number>();

  add(op: string, outcome: number | string): void {
    const key = `${op} ${outcome}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Runs `body` and counts it under `op` with the reply's code, or `error` when it threw. */
  async count<T extends { code: number }>(op: string, body: () => Promise<T>): Promise<T | undefined> {
    try {
      const reply = await body();
      this.add(op, reply.code);
      return reply;
    } catch {
      this.add(op, 'error');
      return undefined;
    }
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }
}
