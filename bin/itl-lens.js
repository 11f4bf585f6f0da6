#!/usr/bin/env node
'use strict';
// The CLI is bundled by `node esbuild.mjs` (run by `npm ci` through the `prepare` script).
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('itl-lens: the CLI is not built yet; run `npm run build` in ' + path.dirname(__dirname) + '\n');
  process.exit(2);
}
const io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), cwd: process.cwd() };
require(bundle)
  .main(process.argv.slice(2), io)
  .then(
    (code) => { process.exitCode = code; },
    (e) => { process.stderr.write(`itl-lens: ${String(e)}\n`); process.exitCode = 2; },
  );
