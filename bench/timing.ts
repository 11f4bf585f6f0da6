/** Timing helpers: interleaved rounds of two workloads, so that both see the same machine noise. */

export function timeIt(fn: () => void, iterations: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e6 / iterations;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs `rounds` alternating rounds of floor and subject; returns median ms per op of each and the median ratio. */
export function compareToFloor(floor: () => void, subject: () => void, iterations: number, rounds = 9) {
  for (let i = 0; i < Math.max(5, iterations >> 2); i++) {
    floor();
    subject();
  }
  const floors: number[] = [];
  const subjects: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const f = timeIt(floor, iterations);
    const s = timeIt(subject, iterations);
    floors.push(f);
    subjects.push(s);
    ratios.push(s / f);
  }
  return { floorMs: median(floors), subjectMs: median(subjects), ratio: median(ratios) };
}
