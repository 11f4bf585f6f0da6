/** A small seeded PRNG (xorshift32) so fuzz runs are reproducible from their seed. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  int(maxExclusive: number): number {
    return maxExclusive <= 0 ? 0 : this.next() % maxExclusive;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}
