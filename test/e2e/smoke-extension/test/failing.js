'use strict';
// A test module whose run() rejects: the launcher must turn this into a non-zero exit code.
exports.run = async function run() {
  throw new Error('smoke-extension: deliberate failure (EXPECTED: smoke.js checks the non-zero exit)');
};
