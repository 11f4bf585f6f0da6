/**
 * Group-commit pacing, shared by the device table, the LSC register and the operation log: under load a
 * write starts at most once per interval, so that one write (and one flush to disk) carries the changes of
 * many sessions; the first write after a quiet spell starts at once, so a lone session never waits.
 */
export class CommitPacer {
  private lastStart = 0;

  constructor(readonly intervalMs: number) {}

  /** Waits until the next write may start, and records that it starts now. */
  async turn(): Promise<void> {
    const wait = this.lastStart + this.intervalMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.lastStart = Date.now();
  }
}
