/**
 * Hostile inputs by the megabyte (hostileInputs.ts): every decoder (PEM scan, DER reader, certificate decoder,
 * .tlv decoder, .sgn decoder), the signature check, the views, the rules and the editor's per-file features take
 * time linear in the input.
 * - Budget: at 64 KB, 1 MB and 4 MB, the best of up to three runs stays within 50 ms per MB (plus a fixed 100 ms
 *   for warm-up and timer noise), for the decoder alone and for everything done with the file. The budget is wide
 *   for a loaded 2-core machine: the slowest input takes about 50 ms per MB on the whole path, the decoders alone
 *   far less. Quadratic code fails at 1 MB: a 0.58 MB file of repeated BEGIN lines took 54 s in the old PEM scan.
 * - Scaling: with the decoders' count limits lifted (PEM blocks, records, elements, DER nodes), the scan itself
 *   is linear: four times the input takes at most eight times as long (quadratic code: sixteen times).
 */
import * as assert from 'node:assert/strict';
import { bestMillis, decodeAlone, decodeAndShow, HOSTILE, MB } from './hostileInputs';

const BUDGET_MS_PER_MB = 50;
const BUDGET_FIXED_MS = 100;
const SIZES = [64 * 1024, 1 * MB, 4 * MB];
/** sizes of the scaling check and the largest ratio of their times (input ratio 4) */
const SCALING_SIZES = [256 * 1024, 1 * MB] as const;
const MAX_TIME_RATIO = 8;

describe(`pathological inputs: linear time (${BUDGET_MS_PER_MB} ms per MB + ${BUDGET_FIXED_MS} ms)`, () => {
  for (const h of HOSTILE) {
    it(`${h.decoder}: ${h.name}`, function () {
      this.timeout(120_000);
      for (const size of SIZES) {
        const bytes = h.make(size);
        const budget = BUDGET_FIXED_MS + (BUDGET_MS_PER_MB * bytes.length) / MB;
        const mb = (bytes.length / MB).toFixed(2);
        const alone = bestMillis(() => decodeAlone(h, bytes), 3, budget);
        assert.ok(alone <= budget, `${h.name}: the ${h.decoder} decoder took ${alone.toFixed(0)} ms on ${mb} MB (best of 3), over the budget of ${budget.toFixed(0)} ms`);
        const all = bestMillis(() => decodeAndShow(h, bytes), 3, budget);
        assert.ok(all <= budget, `${h.name}: decoding and showing ${mb} MB took ${all.toFixed(0)} ms (best of 3), over the budget of ${budget.toFixed(0)} ms`);
      }
    });
  }
});

describe(`pathological inputs, decoders' count limits lifted: 4 times the input, at most ${MAX_TIME_RATIO} times the time`, () => {
  for (const h of HOSTILE) {
    it(`${h.decoder}: ${h.name}`, function () {
      this.timeout(120_000);
      const [small, large] = SCALING_SIZES.map((size) => h.make(size));
      const sizeRatio = large.length / small.length; // about 4
      let best = Infinity;
      // Timer noise dominates tiny times: 5 ms is added to the small input's time; retried on a slow run.
      for (let i = 0; i < 3 && best > MAX_TIME_RATIO; i++) {
        const a = bestMillis(() => decodeAlone(h, small, 'lifted'), 2);
        const b = bestMillis(() => decodeAlone(h, large, 'lifted'), 2);
        const timeRatio = (b / (a + 5)) * (4 / sizeRatio); // as for exactly 4 times the input
        best = Math.min(best, timeRatio);
      }
      assert.ok(best <= MAX_TIME_RATIO, `${h.name}: 4 times the input took ${best.toFixed(1)} times as long with the limits lifted`);
    });
  }
});
