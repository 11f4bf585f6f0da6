'use strict';
// A minimal sequential check runner for e2e scripts: prints one line per check and ends with the
// "N passed, N failed" line; a hard timeout fails the run instead of hanging.
function createChecks({ hardTimeoutMs = 600000 } = {}) {
  let passed = 0;
  let failed = 0;
  const t0 = Date.now();
  const summary = () => `${passed} passed, ${failed} failed`;
  const timer = setTimeout(() => {
    console.log(`FAIL hard timeout after ${hardTimeoutMs} ms`);
    failed++;
    console.log(summary());
    process.exit(1);
  }, hardTimeoutMs);
  timer.unref();
  return {
    /** Runs fn(); a throw or rejection fails the check. Resolves to fn's value (undefined on failure). */
    async check(name, fn) {
      const t = Date.now();
      try {
        const value = await fn();
        passed++;
        console.log(`ok   ${name} (${Date.now() - t} ms)`);
        return value;
      } catch (e) {
        failed++;
        console.log(`FAIL ${name} (${Date.now() - t} ms)\n     ${String(e && e.stack || e).split('\n').join('\n     ')}`);
        return undefined;
      }
    },
    get failed() { return failed; },
    /** Prints the closing line and returns the exit code (0 only if all passed and at least one ran). */
    finish() {
      clearTimeout(timer);
      console.log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      console.log(summary());
      return failed === 0 && passed > 0 ? 0 : 1;
    },
  };
}

module.exports = { createChecks };
