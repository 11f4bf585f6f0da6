/**
 * A cap on how many lines of one kind a server logs (refused connections, failed handshakes): at most
 * `perWindow` lines per `windowMs`, the rest counted and reported with the next line that is let through,
 * so a flood of clients cannot flood the log. No timers: a count still held when the server stops is taken
 * with `takeHeld`.
 */
export class LogThrottle {
  private windowStart = Number.NEGATIVE_INFINITY;
  private written = 0;
  private held = 0;

  constructor(
    readonly perWindow = 5,
    readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** undefined: hold this line back; otherwise write it, saying how many lines were held back before it. */
  admit(): { held: number } | undefined {
    const t = this.now();
    if (t - this.windowStart >= this.windowMs) {
      this.windowStart = t;
      this.written = 0;
    }
    if (this.written >= this.perWindow) {
      this.held++;
      return undefined;
    }
    this.written++;
    return { held: this.takeHeld() };
  }

  /** The lines held back and not yet reported (reported by this call). */
  takeHeld(): number {
    const n = this.held;
    this.held = 0;
    return n;
  }
}

/** The note a line written after `held` lines were held back carries ("" when none were). */
export function heldNote(held: number, what: string): string {
  return held ? `; ${held} more ${what} since the previous such line were not logged` : '';
}
