#!/usr/bin/env node
'use strict';
// Runs an extension test module inside code-server's extension host through @vscode/test-electron's
// runTests(), with the code-server launcher standing in for the VS Code executable. The same
// extensionTestsPath module runs unchanged in desktop VS Code where one can be downloaded.
//   node test/e2e/runExtensionTests.js --extensionDevelopmentPath=. --extensionTestsPath=out/test/e2e/index.js [--workspace=DIR]
// As a module: runExtensionTests({ extensionDevelopmentPath, extensionTestsPath, workspace, env }) -> exit code.
const fs = require('fs');
const path = require('path');

const LAUNCHER = path.join(__dirname, 'launcher', 'code-server-launcher.js');

async function runExtensionTests({ extensionDevelopmentPath, extensionTestsPath, workspace, env }) {
  const { runTests } = require('@vscode/test-electron');
  fs.chmodSync(LAUNCHER, 0o755); // runTests spawns it directly; a checkout may have lost the x bit
  try {
    return await runTests({
      vscodeExecutablePath: LAUNCHER,
      extensionDevelopmentPath: path.resolve(extensionDevelopmentPath),
      extensionTestsPath: path.resolve(extensionTestsPath),
      launchArgs: workspace ? [path.resolve(workspace)] : [],
      extensionTestsEnv: env,
    });
  } catch (e) {
    // runTests rejects with TestRunFailedError { code, signal } on a non-zero exit.
    return typeof e.code === 'number' && e.code !== 0 ? e.code : 1;
  }
}

if (require.main === module) {
  const opt = {};
  for (const arg of process.argv.slice(2)) {
    const m = /^--(extensionDevelopmentPath|extensionTestsPath|workspace)=(.+)$/.exec(arg);
    if (!m) { console.error(`unknown argument: ${arg}`); process.exit(2); }
    opt[m[1]] = m[2];
  }
  if (!opt.extensionDevelopmentPath || !opt.extensionTestsPath) {
    console.error('usage: runExtensionTests.js --extensionDevelopmentPath=DIR --extensionTestsPath=FILE [--workspace=DIR]');
    process.exit(2);
  }
  runExtensionTests(opt).then((code) => process.exit(code));
}

module.exports = { runExtensionTests, LAUNCHER };
