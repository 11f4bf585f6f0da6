/**
 * A per-client share of a server's budget (connections, transfers): at most `max` held at once by one remote
 * address, so one client cannot starve the others. Used by every lab server (CAPF, TVS, TFTP).
 */
export const DEFAULT_PER_ADDRESS_LIMIT = 16;

export class PerAddressLimit {
  private readonly held = new Map<string, number>();

  constructor(readonly max: number = DEFAULT_PER_ADDRESS_LIMIT) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`the per-address limit must be a whole number of at least 1 (got ${max})`);
  }

  /** One slot for `address`, or undefined when it already holds `max`. The release function is idempotent. */
  acquire(address: string): (() => void) | undefined {
    const n = this.held.get(address) ?? 0;
    if (n >= this.max) return undefined;
    this.held.set(address, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(address) ?? 1) - 1;
      if (left <= 0) this.held.delete(address);
      else this.held.set(address, left);
    };
  }

  /** How many slots `address` holds now. */
  count(address: string): number {
    return this.held.get(address) ?? 0;
  }
}
