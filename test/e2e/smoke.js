#!/usr/bin/env node
'use strict';
// Proves the real-VS-Code e2e infrastructure with a throwaway extension (test/e2e/smoke-extension):
// code-server + .vsix install, the workbench in chromium driven as a person would, and the
// @vscode/test-electron route through the code-server launcher. Run test/e2e/setup.sh first.
const assert = require('assert');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { startCodeServer, ROOT } = require('./lib/codeServer');
const b = require('./lib/browser');
const { createChecks } = require('./lib/checks');
const { runExtensionTests } = require('./runExtensionTests');

const EXT = path.join(__dirname, 'smoke-extension');
const WORK = path.join(ROOT, '.cache', 'e2e', 'smoke');
const WS = path.join(WORK, 'workspace');
const VSIX = path.join(WORK, 'smoke.vsix');
const SHOT = path.join(__dirname, 'screenshots', 'smoke.png');
process.env.E2E_TIMEOUT_MS = process.env.E2E_TIMEOUT_MS || '180000'; // per launcher run

function makeWorkspace() {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WS, { recursive: true });
  fs.writeFileSync(path.join(WS, 'hello.txt'), 'Hello from ITL Lens e2e\n  two spaces in front\n');
  fs.writeFileSync(path.join(WS, 'notes.md'), [
    '# Notes', '', 'See [the document][spec] and [a broken link](./missing.md).', '', '## Part A', '',
    '### Detail', '', '[spec]: https://example.invalid/spec', ''].join('\n'));
}

function packageVsix() {
  const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository',
    '--skip-license', '-o', VSIX], { cwd: EXT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
  assert.ok(fs.statSync(VSIX).size > 0);
}

async function uiChecks(t) {
  const server = await t.check('code-server starts with the .vsix installed', async () => {
    const s = await startCodeServer({ vsix: VSIX, timeoutMs: 300000, settings: { 'markdown.validate.enabled': true } });
    console.log(`     ${s.baseUrl} healthy after ${s.startMs} ms`);
    return s;
  });
  if (!server) return;
  const br = await b.launchBrowser();
  const { page } = br;
  try {
    await t.check('chromium shows the workbench', async () => {
      console.log(`     workbench ready after ${await b.openWorkbench(page, server.url(WS))} ms`);
    });
    await t.check('quick open hello.txt and read its text from the DOM', async () => {
      await b.openFileViaQuickOpen(page, 'hello.txt');
      assert.strictEqual(await b.readEditorText(page), 'Hello from ITL Lens e2e\n  two spaces in front\n');
    });
    await t.check(`screenshot ${path.relative(ROOT, SHOT)}`, async () => {
      await b.screenshot(page, SHOT);
      assert.ok(fs.statSync(SHOT).size > 10000, 'screenshot is not empty');
    });
    await t.check('F1 runs the installed extension\'s command', async () => {
      await b.runCommand(page, 'ITL Lens e2e smoke: hello');
      const texts = await b.readNotifications(page, { until: /hello from the e2e smoke extension/ });
      assert.ok(texts.some((x) => /hello from the e2e smoke extension/.test(x)), `toasts: ${texts}`);
    });
    await t.check('outline of notes.md (built-in markdown extension)', async () => {
      await b.openFileViaQuickOpen(page, 'notes.md');
      const labels = (await b.readOutline(page)).map((r) => `${r.level}:${r.label}`);
      assert.deepStrictEqual(labels.slice(0, 3), ['1:# Notes', '2:## Part A', '3:### Detail']);
    });
    await t.check('problems panel lists the broken link', async () => {
      const rows = await b.readProblems(page, { until: (r) => r.some((x) => /missing\.md/.test(x.text)) });
      assert.ok(rows.some((x) => x.level === 2 && /File does not exist/.test(x.text)), JSON.stringify(rows));
    });
    await t.check('hover over the broken link shows its diagnostic', async () => {
      await b.runCommand(page, 'View: Focus Active Editor Group');
      assert.match(await b.hoverText(page, './missing.md'), /File does not exist/);
    });
    await t.check('F12 on a reference link jumps to its definition line', async () => {
      await page.keyboard.press('Escape');
      const at = await b.goToDefinition(page, '][spec]', { offset: 3 });
      assert.deepStrictEqual([at.title, at.line], ['notes.md', 9]);
    });
  } finally {
    if (t.failed) await b.screenshot(page, path.join(WORK, 'failure.png')).catch(() => {});
    await br.close();
    await server.stop({ keep: t.failed > 0 || undefined });
  }
}

async function launcherChecks(t) {
  await t.check('extension-host test passes via @vscode/test-electron + launcher', async () => {
    const code = await runExtensionTests({ extensionDevelopmentPath: EXT,
      extensionTestsPath: path.join(EXT, 'test', 'index.js'), workspace: WS });
    assert.strictEqual(code, 0);
  });
  await t.check('a rejected run() gives a non-zero exit code', async () => {
    const code = await runExtensionTests({ extensionDevelopmentPath: EXT,
      extensionTestsPath: path.join(EXT, 'test', 'failing.js'), workspace: WS,
      env: { E2E_KEEP_ON_FAILURE: '0' } });
    assert.notStrictEqual(code, 0);
  });
}

async function main() {
  const t = createChecks({ hardTimeoutMs: 600000 });
  makeWorkspace();
  await t.check('package the smoke extension with vsce', packageVsix);
  if (fs.existsSync(VSIX)) await uiChecks(t);
  await launcherChecks(t);
  return t.finish();
}

main().then((code) => process.exit(code), (e) => { console.error(e); console.log('0 passed, 1 failed'); process.exit(1); });
