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
require(bundle);
