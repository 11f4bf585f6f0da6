#!/usr/bin/env node
'use strict';
// Stands in for the VS Code executable that @vscode/test-electron's runTests() spawns:
//   code-server-launcher.js [folder] --extensionDevelopmentPath=DIR... --extensionTestsPath=FILE [other flags ignored]
// Starts code-server + headless chromium, opens the workbench with the test `payload`, and exits with the
// code the extension host reports through window.codeAutomationExit(code).
// Env: E2E_TIMEOUT_MS (whole run, default 600000), E2E_KEEP=1 (keep .cache/e2e/run-*),
// E2E_KEEP_ON_FAILURE=0 (do not keep it after a failed run), E2E_DEBUG=1 (all page/workbench logs).
const path = require('path');
const util = require('util');
const { startCodeServer } = require('../lib/codeServer');
const { launchBrowser, screenshot } = require('../lib/browser');

function parseArgs(argv) {
  const a = { devPaths: [], testsPath: null, folder: null };
  for (const arg of argv) {
    const m = /^--([^=]+)=(.*)$/.exec(arg);
    if (m && m[1] === 'extensionDevelopmentPath') a.devPaths.push(path.resolve(m[2]));
    else if (m && m[1] === 'extensionTestsPath') a.testsPath = path.resolve(m[2]);
    else if (!arg.startsWith('-') && !a.folder) a.folder = path.resolve(arg);
    // --no-sandbox, --user-data-dir=, --extensions-dir=, ...: the launcher keeps its own isolated dirs.
  }
  if (!a.devPaths.length || !a.testsPath) {
    throw new Error('usage: code-server-launcher.js [folder] --extensionDevelopmentPath=DIR --extensionTestsPath=FILE');
  }
  return a;
}

// In test mode the workbench hands every log line (its own and the extension host's console output) to
// window.codeAutomationLog(level, args). Print them, minus the workbench's own start-up chatter.
const NOISE = [/^Resolv(ing|ed) connection token/, /^Creating a socket/, /^\[Service Worker\]/,
  /^ChatSessionStore:/, /^Updating additional builtin extensions cache/, /open-vsx\.org|ENOTFOUND/,
  /^Started local extension host/, /^\[driver\]/, /^Creation of workbench contribution/];
function formatArg(a) {
  return typeof a === 'string' ? a : JSON.stringify(a);
}
function automationLog(level, args) {
  const list = [].concat(args || []);
  // console.log('%s%s', a, b) (mocha's reporters) arrives unformatted: apply the format string here.
  const text = typeof list[0] === 'string' && /%[sdifjoOc]/.test(list[0])
    ? util.format(...list) : list.map(formatArg).join(' ');
  if (!process.env.E2E_DEBUG && NOISE.some((re) => re.test(text))) return;
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${text}\n`);
}
function debugConsole(msg) {
  if (process.env.E2E_DEBUG) process.stderr.write(`[page ${msg.type()} +${Date.now() - T0}ms] ${msg.text()}\n`);
}
const T0 = Date.now();
function debug(text) { if (process.env.E2E_DEBUG) process.stderr.write(`[launcher +${Date.now() - T0}ms] ${text}\n`); }

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const timeoutMs = Number(process.env.E2E_TIMEOUT_MS) || 600000;
  const server = await startCodeServer({ timeoutMs: timeoutMs + 15000 });
  let br = null;
  let code = 1;
  try {
    debug(`code-server up: ${server.baseUrl}`);
    br = await launchBrowser({ onConsole: debugConsole });
    debug('browser up');
    let report;
    const exited = new Promise((resolve) => { report = resolve; });
    await br.page.exposeFunction('codeAutomationExit', (c) => { debug(`codeAutomationExit(${c})`); report(Number(c) || 0); });
    await br.page.exposeFunction('codeAutomationLog', automationLog);
    const payload = [
      ...args.devPaths.map((p) => ['extensionDevelopmentPath', server.remoteUri(p)]),
      ['extensionTestsPath', server.remoteUri(args.testsPath)],
    ];
    const timer = new Promise((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    await br.page.goto(server.url(args.folder, payload));
    code = await Promise.race([exited, timer]);
    if (code === 'timeout') {
      console.error(`[launcher] no codeAutomationExit within ${timeoutMs} ms`);
      await screenshot(br.page, path.join(server.runDir, 'timeout.png')).catch(() => {});
      code = 1;
    }
  } catch (e) {
    console.error(`[launcher] ${e && e.stack || e}`);
    code = 1;
  } finally {
    if (br) await br.close();
    debug('browser closed');
    const keep = code !== 0 && process.env.E2E_KEEP_ON_FAILURE !== '0';
    if (keep) console.error(`[launcher] failed; code-server log: ${server.logFile} (run dir kept)`);
    await server.stop({ keep: keep || undefined });
  }
  debug(`server stopped; exit ${code}`);
  return code;
}

main().then((code) => process.exit(code), (e) => { console.error(`[launcher] ${e && e.stack || e}`); process.exit(1); });
