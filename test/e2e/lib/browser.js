'use strict';
// Drives the code-server workbench in Debian's chromium through playwright-core, as a person would:
// keyboard shortcuts, the command palette, and reading what the DOM shows.
const fs = require('fs');
const path = require('path');
const { TOOLS, makeRunDir, isolatedEnv } = require('./codeServer');

const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const NBSP = /\u00a0/g;
const norm = (s) => (s || '').replace(NBSP, ' ');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function playwright() {
  return require(path.join(TOOLS, 'node_modules', 'playwright-core'));
}

/**
 * Launches chromium and opens one page. opts: { viewport={width:1400,height:900}, timeoutMs=30000 (default
 * per-action timeout), onConsole(msg) }. Chromium gets a private HOME/XDG/TMPDIR (a run dir of its own,
 * removed on close). Resolves to { browser, context, page, close() }.
 */
async function launchBrowser(opts = {}) {
  const d = makeRunDir();
  let browser;
  try {
    browser = await playwright().chromium.launch({
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30000, env: isolatedEnv(d),
    });
  } catch (e) {
    fs.rmSync(d.dir, { recursive: true, force: true });
    throw e;
  }
  const context = await browser.newContext({ viewport: opts.viewport || { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(opts.timeoutMs || 30000);
  if (opts.onConsole) page.on('console', opts.onConsole);
  const close = async () => {
    await browser.close().catch(() => {});
    fs.rmSync(d.dir, { recursive: true, force: true });
    if (!d.tmp.startsWith(d.dir)) fs.rmSync(d.tmp, { recursive: true, force: true });
  };
  return { browser, context, page, close };
}

/** Waits until the workbench (editor area, status bar, activity bar) is on screen and idle. */
async function waitForWorkbench(page, timeoutMs = 60000) {
  await page.waitForSelector('.monaco-workbench .part.editor', { timeout: timeoutMs });
  await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: timeoutMs });
  await page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: timeoutMs });
  // With a folder open, the explorer lists its files once the remote file system answered (an empty
  // folder lists none: give up quietly after 10 s).
  if (/[?&](folder|workspace)=/.test(page.url())) {
    await page.waitForSelector('.explorer-folders-view .monaco-list-row',
      { timeout: Math.min(timeoutMs, 10000) }).catch(() => {});
  }
}

/** Opens url (e.g. server.url(folder)) and waits for the workbench. Returns ms until ready. */
async function openWorkbench(page, url, timeoutMs = 60000) {
  const t0 = Date.now();
  await page.goto(url, { timeout: timeoutMs });
  await waitForWorkbench(page, timeoutMs);
  return Date.now() - t0;
}

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = `${QUICK_INPUT} .quick-input-box input`;
const QUICK_ROWS = `${QUICK_INPUT} .quick-input-list .monaco-list-row`;

async function closeQuickInput(page) {
  if (await page.locator(QUICK_INPUT).isVisible().catch(() => false)) await page.keyboard.press('Escape');
}

/** Ctrl+P, types name, waits for a row whose label is name, Enter; waits for its tab to be active. */
async function openFileViaQuickOpen(page, name, timeoutMs = 30000) {
  await closeQuickInput(page);
  await page.keyboard.press('Control+P');
  await page.waitForSelector(QUICK_INPUT_BOX, { state: 'visible' });
  await page.fill(QUICK_INPUT_BOX, name);
  const base = path.basename(name);
  const row = page.locator(QUICK_ROWS).filter({ has: page.locator('.label-name', { hasText: base }) }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
  await page.locator('.tabs-container .tab.active', { hasText: base }).first()
    .waitFor({ state: 'visible', timeout: timeoutMs });
  await page.waitForSelector('.editor-group-container.active .monaco-editor .view-lines', { timeout: timeoutMs });
}

/** F1, types the command title, runs the first row whose label matches it exactly (or contains it). */
async function runCommand(page, title, timeoutMs = 30000) {
  await closeQuickInput(page);
  await page.keyboard.press('F1');
  await page.waitForSelector(QUICK_INPUT_BOX, { state: 'visible' });
  await page.fill(QUICK_INPUT_BOX, `>${title}`);
  const rows = page.locator(QUICK_ROWS);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const labels = (await rows.locator('.label-name').allInnerTexts().catch(() => [])).map(norm);
    let i = labels.findIndex((l) => l.trim() === title);
    if (i < 0) i = labels.findIndex((l) => l.includes(title));
    if (i >= 0) { await rows.nth(i).click(); return; }
    if (Date.now() > deadline) {
      await closeQuickInput(page);
      throw new Error(`command not found in palette: "${title}" (saw: ${labels.join(' | ')})`);
    }
    await sleep(100);
  }
}

/** In an open quick pick: types `label` and picks the row whose label is exactly it. */
async function pickQuickItem(page, label, timeoutMs = 30000) {
  await page.waitForSelector(QUICK_INPUT_BOX, { state: 'visible', timeout: timeoutMs });
  await page.fill(QUICK_INPUT_BOX, label);
  const rows = page.locator(QUICK_ROWS);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const labels = (await rows.locator('.label-name').allInnerTexts().catch(() => [])).map(norm);
    const i = labels.findIndex((l) => l.trim() === label);
    if (i >= 0) { await rows.nth(i).click(); return; }
    if (Date.now() > deadline) {
      await closeQuickInput(page);
      throw new Error(`no quick pick row "${label}" (saw: ${labels.join(' | ')})`);
    }
    await sleep(100);
  }
}

/** Text of the rendered lines of the active editor, top to bottom, U+00A0 turned into spaces. */
async function readEditorText(page) {
  const text = await page.$$eval('.editor-group-container.active .monaco-editor .view-lines .view-line',
    (lines) => lines.map((l) => [parseFloat(l.style.top) || 0, l.textContent])
      .sort((a, b) => a[0] - b[0]).map((x) => x[1]).join('\n'));
  return norm(text);
}

/** Full-page PNG; creates the folder. */
async function screenshot(page, file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file });
  return file;
}

/**
 * Screen box { x, y, width, height } of the first occurrence of text in the active editor's rendered
 * lines, or null. With offset, the box of the single character at that index inside text.
 */
function findTextBox(page, text, offset) {
  return page.evaluate(([needle, off]) => {
    const norm = (s) => s.replace(/\u00a0/g, ' ');
    const lines = document.querySelectorAll('.editor-group-container.active .monaco-editor .view-lines .view-line');
    for (const line of lines) {
      let at = norm(line.textContent).indexOf(needle);
      if (at < 0) continue;
      if (typeof off === 'number') { at += off; needle = needle.charAt(off); }
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      let pos = 0; const range = document.createRange(); let started = false;
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const len = n.textContent.length;
        if (!started && at < pos + len) { range.setStart(n, at - pos); started = true; }
        if (started && at + needle.length <= pos + len) { range.setEnd(n, at + needle.length - pos); break; }
        pos += len;
      }
      const r = range.getBoundingClientRect();
      return { x: r.left, y: r.top, width: r.width, height: r.height };
    }
    return null;
  }, [text, offset]);
}

async function textBoxOrThrow(page, text, offset) {
  const box = await findTextBox(page, text, offset);
  if (!box) throw new Error(`text not visible in the active editor: "${text}"`);
  return box;
}

/** Clicks into the active editor at the middle of the first occurrence of text (or of its character at offset). */
async function clickText(page, text, { offset } = {}) {
  const b = await textBoxOrThrow(page, text, offset);
  await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2);
}

/** Moves the mouse over text (or its character at offset); returns the hover's text ('' if none in timeoutMs). */
async function hoverText(page, text, { offset, timeoutMs = 15000 } = {}) {
  const b = await textBoxOrThrow(page, text, offset);
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 2 });
  const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content').first();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await hover.isVisible().catch(() => false)) {
      const t = norm(await hover.innerText());
      if (t.trim() && !/^Loading\.\.\.$/.test(t.trim())) return t;
    }
    await sleep(100);
  }
  return '';
}

/** Focuses the Outline view and returns its rows: [{ label, description, level }]. */
async function readOutline(page, timeoutMs = 15000) {
  await runCommand(page, 'Explorer: Focus on Outline View');
  const rows = page.locator('.outline-pane .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: timeoutMs }).catch(() => {});
  return rows.evaluateAll((els) => els.map((el) => ({
    label: (el.querySelector('.label-name') || el).textContent.replace(/\u00a0/g, ' ').trim(),
    description: ((el.querySelector('.label-description') || {}).textContent || '').replace(/\u00a0/g, ' ').trim(),
    level: Number(el.getAttribute('aria-level')) || 1,
  })));
}

/**
 * Opens the Problems panel and returns its rows: [{ text, ariaLabel, level }] (file rows have level 1,
 * marker rows level 2). Diagnostics arrive asynchronously: pass until(rows) => boolean to poll until it
 * holds (returns the last rows read when timeoutMs runs out). Without until, returns as soon as rows or
 * the "No problems have been detected" message show.
 */
async function readProblems(page, { until, timeoutMs = 15000 } = {}) {
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  const panel = page.locator('.markers-panel');
  await panel.waitFor({ state: 'visible', timeout: timeoutMs });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await panel.evaluate((p) => {
      const visible = (el) => el && el.offsetParent !== null;
      const rows = [...p.querySelectorAll('.monaco-list-row')].map((el) => ({
        text: el.innerText.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim(),
        ariaLabel: el.getAttribute('aria-label') || '',
        level: Number(el.getAttribute('aria-level')) || 1,
      }));
      return { rows, empty: visible(p.querySelector('.message-box-container')) };
    });
    const done = until ? until(state.rows) : (state.rows.length > 0 || state.empty);
    if (done || Date.now() > deadline) return state.rows;
    await sleep(150);
  }
}

/** Title of the active editor tab and the cursor position from the status bar ("Ln 3, Col 5"). */
async function activeEditorInfo(page) {
  const title = norm(await page.locator('.tabs-container .tab.active .label-name').first().innerText()
    .catch(() => ''));
  const pos = norm(await page.locator('#status\\.editor\\.selection').first().innerText().catch(() => ''));
  const m = /Ln (\d+), Col (\d+)/.exec(pos);
  return { title, line: m ? Number(m[1]) : null, column: m ? Number(m[2]) : null };
}

/**
 * Clicks text (or its character at offset), presses F12, waits until the active editor or the cursor line
 * changed (or timeoutMs); returns activeEditorInfo() after the jump.
 */
async function goToDefinition(page, text, { offset, timeoutMs = 15000 } = {}) {
  await clickText(page, text, { offset });
  await sleep(200);
  const before = await activeEditorInfo(page);
  await page.keyboard.press('F12');
  const deadline = Date.now() + timeoutMs;
  let now = before;
  while (Date.now() < deadline) {
    await sleep(150);
    now = await activeEditorInfo(page);
    if (now.title !== before.title || now.line !== before.line) return now;
  }
  return now;
}

/** Texts of the notification toasts on screen; polls until one matches `until` (RegExp) or timeoutMs. */
async function readNotifications(page, { until, timeoutMs = 10000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const texts = (await page.locator('.notifications-toasts .notification-toast .notification-list-item-message')
      .allInnerTexts().catch(() => [])).map(norm);
    if (!until || texts.some((t) => until.test(t)) || Date.now() > deadline) return texts;
    await sleep(150);
  }
}

module.exports = {
  CHROMIUM, CHROMIUM_ARGS, norm, launchBrowser, openWorkbench, waitForWorkbench, openFileViaQuickOpen,
  runCommand, pickQuickItem, readEditorText, screenshot, findTextBox, clickText, hoverText, readOutline, readProblems,
  activeEditorInfo, goToDefinition, readNotifications,
};
